"""How `learnloop forget` rewrites kept exports (JSON by object, CSV by row, zips by member)
and which raw rows it deletes (`--platform`)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import duckdb
import pytest

from learnloop.config import load_config
from learnloop.forget import (
    KEY_PREFIX,
    ROW_PLATFORM_SQL,
    Erasure,
    _delete_raw_rows,
    _redact_everywhere,
    member_key,
    rewrite_bytes,
)
from learnloop.ingest.formats import FORMATS
from learnloop.ingest.loader import create_raw_tables
from learnloop.paths import Home
from tests.conftest import run_cli

IDS = {"trailanna", "uctrailanna000000000001x"}


def test_json_objects_naming_the_member_are_dropped_and_mentions_erased():
    thread = {
        "id": "T1",
        "topLevelComment": {
            "id": "C1",
            "snippet": {
                "authorDisplayName": "@TrailAnna",
                "authorChannelId": {"value": "UCtrailAnna000000000001x"},
                "textOriginal": "How do I pair the app?",
            },
        },
        "replies": {
            "comments": [
                {"id": "R1", "authorDisplayName": "@nordlicht", "text": "@trailanna see Settings"},
                {"id": "R2", "authorDisplayName": "@trailanna", "text": "Thanks!"},
            ]
        },
    }
    rewritten = json.loads(rewrite_bytes(json.dumps({"items": [thread]}).encode(), IDS))
    assert rewritten == {
        "items": [
            {
                "id": "T1",
                "topLevelComment": {"id": "C1"},  # the member's snippet is gone
                "replies": {
                    "comments": [
                        {
                            "id": "R1",
                            "authorDisplayName": "@nordlicht",
                            "text": "@[erased] see Settings",
                        }
                    ]
                },
            }
        ]
    }


def test_csv_rows_naming_the_member_are_dropped_and_x_archive_prefix_kept():
    csv_text = "Message ID;Author;Message\nm1;TrailAnna;Hi\nm2;Nordlicht;Hello @trailanna\n"
    assert rewrite_bytes(csv_text.encode(), IDS) == (
        b"Message ID;Author;Message\nm2;Nordlicht;Hello @[erased]\n"
    )
    js = 'window.YTD.direct_messages.part0 = [{"senderId": "trailanna", "text": "x"}, {"a": 1}]'
    assert rewrite_bytes(js.encode(), IDS) == (b'window.YTD.direct_messages.part0 = [{"a": 1}]')


def test_zip_members_are_rewritten_and_files_without_the_member_stay_byte_identical():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("a.csv", "Id,Author\n1,trailanna\n2,ben\n")
        bundle.writestr("b.csv", "Id,Author\n3,ben\n")
    rewritten = zipfile.ZipFile(io.BytesIO(rewrite_bytes(buffer.getvalue(), IDS)))
    assert rewritten.read("a.csv") == b"Id,Author\n2,ben\n"
    assert rewritten.read("b.csv") == b"Id,Author\n3,ben\n"
    untouched = b"Id,Author\n3,ben\n"
    assert rewrite_bytes(untouched, IDS) is untouched


def test_forget_before_anything_was_loaded_is_one_line(home: Home):
    result = run_cli(home, "forget", "--member", "@someone")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("learnloop forget: ")
    assert "nothing has been loaded yet" in result.stderr


def test_platform_limits_the_erasure_and_mentions_elsewhere_are_replaced():
    with duckdb.connect() as con:
        create_raw_tables(con)
        con.execute(
            """INSERT INTO raw.inbox_csv__messages (message_id, author, platform_raw, text)
               VALUES ('m1', '@Kunde_A', 'Instagram', 'Wann kommt das Update?'),
                      ('m2', 'kunde_a', 'Twitter', 'Where is my order?'),
                      ('m3', 'Nordlicht Support', 'Twitter', '@kunde_a it ships today')"""
        )
        erasure = Erasure()
        # The member as the erase step knows them: their salted key, never the handle.
        salt = "a-test-salt-of-16-chars"
        member = (member_key(salt, "@KUNDE_A "), f"{salt}{KEY_PREFIX}")
        identifiers = _delete_raw_rows(con, member, "x", erasure)
        assert erasure.raw_rows == {"inbox_csv__messages": 1}
        assert identifiers == {"kunde_a"}  # m2's author, found by its key
        # On X one value still names kunde_a: m3's text. kunde_a on Instagram (m1) may be
        # someone else and stays.
        assert _redact_everywhere(con, identifiers, "x") == 1
        assert con.execute(
            "SELECT message_id, author, text FROM raw.inbox_csv__messages ORDER BY 1"
        ).fetchall() == [
            ("m1", "@Kunde_A", "Wann kommt das Update?"),
            ("m3", "Nordlicht Support", "@[erased] it ships today"),
        ]


def test_print_conf_gives_the_dag_conf_of_an_erasure_with_the_salted_key_only(home: Home):
    # For a scheduler: the conf to trigger the learnloop DAG with. Nothing is run or locked.
    salt = load_config(home, environ={}).privacy.salt
    duckdb.connect(str(home.build_database)).close()  # something was loaded before
    result = run_cli(home, "forget", "--member", " @Kunde_A", "--platform", "x", "--print-conf")
    assert (result.returncode, result.stderr) == (0, "")
    # The key: sha256 of the salt, "forget:" and the handle as matched (lower case, no @).
    key = hashlib.sha256(f"{salt}forget:kunde_a".encode()).hexdigest()
    assert json.loads(result.stdout) == {"forget_member_key": key, "forget_platform": "x"}
    assert "kunde" not in result.stdout.lower()
    assert not home.lock_file.exists() and not (home.build / "runs").exists()

    wrong = run_cli(home, "forget", "--member", "kunde_a", "--platform", "tiktok", "--print-conf")
    assert (wrong.returncode, wrong.stdout) == (1, "")
    assert wrong.stderr == (
        "learnloop forget: --platform: 'tiktok' is not one of "
        "bluesky, discord, facebook, instagram, linkedin, mastodon, x, youtube\n"
    )


def _x_and_bluesky_namesakes(con: duckdb.DuckDBPyConnection) -> None:
    """lena_k on X, and a different person on Bluesky whose display name is lena_k; a
    Bluesky reply mentions the handle."""
    create_raw_tables(con)
    con.execute(
        """INSERT INTO raw.x_api__tweets (tweet_id, author_id, author_username, text)
           VALUES ('1790000000000000001', '4400000001', 'lena_k', 'Any news on the update?')"""
    )
    con.execute(
        """INSERT INTO raw.bluesky_api__posts (uri, author_did, author_handle,
               author_display_name, text)
           VALUES ('at://did:plc:lenak/app.bsky.feed.post/3kx1', 'did:plc:lenak',
                   'lena-k.bsky.social', 'lena_k', 'Loving the new release'),
                  ('at://did:plc:nordlicht/app.bsky.feed.post/3kx2', 'did:plc:nordlicht',
                   'nordlicht.bsky.social', 'Nordlicht', '@lena_k thank you!')"""
    )


TWEET = ("1790000000000000001", "Any news on the update?")
LENA_ON_BLUESKY = ("at://did:plc:lenak/app.bsky.feed.post/3kx1", "Loving the new release")
REPLY = "at://did:plc:nordlicht/app.bsky.feed.post/3kx2"


@pytest.mark.parametrize(
    ("platform", "deleted", "identifiers", "redacted", "tweets", "bluesky_posts"),
    [
        # The Bluesky namesake stays, and Bluesky's rows are not X's to redact.
        ("x", {"x_api__tweets": 1}, {"lena_k", "4400000001"}, 0, [],
         [LENA_ON_BLUESKY, (REPLY, "@lena_k thank you!")]),
        # Her row goes, the mention in Nordlicht's reply is one value; X's lena_k stays.
        ("bluesky", {"bluesky_api__posts": 1}, {"lena_k", "did:plc:lenak", "lena-k.bsky.social"},
         1, [TWEET], [(REPLY, "@[erased] thank you!")]),
    ],
)  # fmt: skip
def test_platform_limits_the_erasure_to_the_format_s_declared_platform(
    platform, deleted, identifiers, redacted, tweets, bluesky_posts
):
    """Each format's declared platform limits --platform (Bluesky was once erased by
    `--platform x`: forget's own platform map did not know it)."""
    salt = "a-test-salt-of-16-chars"
    member = (member_key(salt, "lena_k"), f"{salt}{KEY_PREFIX}")
    with duckdb.connect() as con:
        _x_and_bluesky_namesakes(con)
        erasure = Erasure()
        found = _delete_raw_rows(con, member, platform, erasure)
        assert erasure.raw_rows == deleted
        assert found == identifiers  # the deleted rows' ids, handles and names
        assert _redact_everywhere(con, found, platform) == redacted
        assert con.execute("SELECT tweet_id, text FROM raw.x_api__tweets").fetchall() == tweets
        assert (
            con.execute("SELECT uri, text FROM raw.bluesky_api__posts ORDER BY uri").fetchall()
            == bluesky_posts
        )


def test_every_format_with_authors_says_which_platform_its_rows_are_on():
    """A format whose rows name their platform needs its row platform here; else --platform
    would erase a namesake on every platform."""
    assert sorted(ROW_PLATFORM_SQL) == sorted(
        f.name for f in FORMATS if f.author_columns and f.platform is None
    )
