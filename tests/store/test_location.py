"""`volatile_reason`: a database on a RAM file system or in the temp folder is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.store.location import mounts, volatile_reason

MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
tmpfs /run tmpfs rw,nosuid 0 0
/dev/sdb1 /var/lib/aipm-coach ext4 rw 0 0
tmpfs /var/lib/aipm-coach/scratch tmpfs rw 0 0
ramfs /mnt/my\\040ram ramfs rw 0 0
"""


@pytest.mark.parametrize(
    ("db", "words"),
    [
        ("/run/coach.db", "tmpfs file system (/run)"),
        ("/var/lib/aipm-coach/scratch/coach.db", "tmpfs file system (/var/lib/aipm-coach/scratch)"),
        ("/mnt/my ram/coach.db", "ramfs file system (/mnt/my ram)"),
        ("/tmp/x/coach.db", "system temp folder (/tmp)"),
    ],
)
def test_volatile_places_are_named(db, words):
    reason = volatile_reason(Path(db), mount_table=mounts(MOUNTS), tempdir="/tmp")
    assert reason is not None and words in reason


@pytest.mark.parametrize("db", ["/var/lib/aipm-coach/coach.db", "/srv/coach.db", "/tmpfoo/c.db"])
def test_persistent_places_pass(db):
    assert volatile_reason(Path(db), mount_table=mounts(MOUNTS), tempdir="/tmp") is None


def test_this_machines_temp_folder_is_found_without_arguments(tmp_path):
    assert volatile_reason(tmp_path / "coach.db") is not None  # pytest's tmp is in the temp folder
