"""Notes: parsing source notes and building draft tips from them."""
