"""YAML seeds: the commented example, opening threads with first posts, problems with
their lines, and nothing but plain data accepted."""

from __future__ import annotations

import datetime
from pathlib import Path

from server.domain.seed_files import Event, OpeningThread, Person

from .reading import problems, read

EXAMPLE = Path(__file__).parents[2] / "docs" / "seed-example.yaml"


def test_the_documented_example_reads_cleanly() -> None:
    plan = read(EXAMPLE.read_bytes(), "seed-example.yaml")
    assert plan.problems == ()
    assert plan.event == Event("Discovery Day, Leeds 2026", datetime.date(2026, 3, 12), "Leeds Civic Hall")
    assert plan.facilitators == (Person("facilitator@localdigital.example", "Sam Okafor"), Person("coordinator@localgovdigital.example"))
    dvla, links = plan.rooms
    assert dvla.title == "DVLA data API for parking and debt recovery"
    assert dvla.summary.startswith("Direct, audited access") and dvla.summary.endswith("replacing batch requests.")
    assert (dvla.stage, dvla.tags, dvla.lead_organisation, dvla.visibility) == ("discovery", ("api", "parking", "dvla"), "DVLA", "open")
    # No facilitator of its own: the event's first facilitator owns it.
    assert dvla.facilitator == Person("facilitator@localdigital.example", "Sam Okafor")
    assert dvla.participants == (
        Person("parking.lead@camden.example"),
        Person("debt@bristol.example", "Debt Recovery Team"),
        Person("licensing@brighton-hove.example"),
    )
    assert dvla.opening_threads == (
        OpeningThread("What keeper data does each council request today, and how often?"),
        OpeningThread(
            "Which legal gateways apply to licensing?",
            "Brighton & Hove asked this at table 3. Known so far:\n\n"
            "- the Road Traffic Act gateway covers parking;\n- licensing may need its own.",
        ),
    )
    assert dvla.source_lines == (24,)
    assert (links.stage, links.visibility, links.tags, links.facilitator) == (
        "incubation",
        "invite",
        ("content", "website"),
        Person("coordinator@localgovdigital.example"),
    )
    assert links.participants == (Person("web.team@sevenoaks.example"), Person("digital@camden.example"))


def test_event_name_argument_wins_and_file_name_is_the_fallback() -> None:
    assert read(EXAMPLE.read_bytes(), "seed-example.yaml", event_name="Leeds").event.name == "Leeds"
    plan = read(b"rooms:\n  - title: Yes\n    stage: live\n    participants: a@b.example\n", "leeds-day.yml")
    assert plan.problems == ()
    assert plan.event == Event("leeds-day")
    assert plan.rooms[0].title == "Yes"  # text as written, not a boolean


BROKEN = b"""\
event:
  name: Co-Design Day
  date: 12 March
rooms:
  - title: Blue badges
    stage: Alpha
    colour: blue
    participants:
      - ada@camden.example
      - bob at camden
  - summary: no title here
    stage: live
    participants: []
  - title: blue  badges
    stage: discovery
    facilitator: Jo from LGD
    opening threads:
      - first post: a post without a title
"""


def test_problems_carry_their_yaml_line_and_key() -> None:
    plan = read(BROKEN, "day.yaml")
    assert problems(plan) == [
        (3, "date", "'12 March' is not a date; write it like 2026-03-12."),
        (6, "stage", "'Alpha' is not a stage; write one of Discovery, Co-Design, Incubation, Live, Archived."),
        (
            7,
            "colour",
            "'colour' is not a key Convene reads in a room; use title, summary, stage, lead organisation, facilitator, participants, "
            "opening threads, tags, visibility, user need, cost benefit, rapid success.",
        ),
        (9, "participants", "'bob at camden' is not an email address; write each address like name@council.gov.uk, separated by ';'."),
        (11, "title", "The concept has no title; write its name here."),
        (16, "facilitator", "'Jo from LGD' is not an email address; write the facilitator's address, like name@council.gov.uk."),
        (18, "opening threads", "This opening thread has no title; add 'title: ...'."),
    ]


def test_unsafe_tags_and_aliases_are_refused_and_nothing_is_constructed() -> None:
    unsafe = b"rooms:\n  - title: !!python/object/apply:os.system ['touch /tmp/pwned']\n    stage: live\n"
    assert problems(read(unsafe, "evil.yaml")) == [
        (
            2,
            None,
            "The tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed: a seed file holds only text, lists and mappings.",
        )
    ]
    assert problems(read(b"rooms: !custom\n  - title: A\n", "custom.yaml"))[0][:2] == (1, None)
    bomb = b"a: &a [x, x]\nb: &b [*a, *a]\nrooms: [*b]\n"
    assert problems(read(bomb, "bomb.yaml")) == [
        (2, None, "The YAML cannot be read: anchors and aliases (*name) are not allowed in a seed file.")
    ]


def test_unreadable_yaml_empty_yaml_and_no_rooms() -> None:
    assert problems(read(b"rooms:\n  - title: A\n   stage: live\n", "bad.yaml")) == [
        (
            3,
            None,
            "The YAML cannot be read: expected <block end>, but found '<block mapping start>'; "
            "check the indentation and punctuation of this line and the one above.",
        )
    ]
    assert problems(read(b"# nothing but a comment\n", "empty.yaml")) == [
        (None, None, "The file is empty; see docs/seed-example.yaml for what a seed file holds.")
    ]
    assert problems(read(b"event: Day\nrooms: []\n", "none.yaml")) == [
        (2, "rooms", "The file lists no rooms; add 'rooms:' with one '- title: ...' per concept.")
    ]
    assert problems(read(b"- just\n- a list\n", "list.yaml")) == [
        (1, None, "The file should be a mapping of keys (like 'title: ...')."),
        (1, "rooms", "The file lists no rooms; add 'rooms:' with one '- title: ...' per concept."),
    ]


def test_repeated_room_in_yaml_is_merged_by_line() -> None:
    data = b"""\
rooms:
  - title: Blue badges
    stage: live
    participants: [a@b.example]
  - title: BLUE BADGES
    participants: [c@d.example, A@B.example]
"""
    plan = read(data, "day.yaml")
    assert plan.problems == ()
    (room,) = plan.rooms
    assert (room.source_lines, room.participants) == ((2, 5), (Person("a@b.example"), Person("c@d.example")))
    assert (
        str(plan.merged[0]) == "Lines 2 and 5 are the same concept, 'Blue badges': they make one room with all their questions and people."
    )


def test_deeply_nested_yaml_is_a_problem_not_a_crash() -> None:
    assert problems(read(b"rooms: " + b"[" * 5000 + b"]" * 5000 + b"\n", "deep.yaml")) == [
        (None, None, "The YAML is nested too deeply to be a seed file; see docs/seed-example.yaml for its shape.")
    ]
