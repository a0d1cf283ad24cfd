"""The answer pipeline: normalise → retrieve → decide → adjust, called in order by `Coach.ask`.

* `normalise`: one normaliser for everything that compares text (the index, decline topics,
  learned pairs): words, stems, synonym groups, a message cut into units (sentences);
* `retrieve`: the index over the live tips, lexical (BM25F over the tip's fields plus the
  nearest curated question) and semantic (a sentence encoder, `semantic`), each tip ranked by
  a fitted linear mix of those signals;
* `decide`: the answer's one level (sure / unsure / none) from features of the ranking and the
  message's shape, by a logistic model fitted per shape, and the not-covered subjects
  (`bot/core/data/decline_topics.yaml`) a message is about;
* `adjust`: what people taught (their own lessons at once, everyone's after agreement or a
  curator's approval) and the team's ratings, applied to the decided answer.

Every number lives in `config.AnswerConfig`; every word list is a data file under
`bot/core/data/`, loaded by `wordlists`.
"""
