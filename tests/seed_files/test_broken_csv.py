"""Broken spreadsheets: every problem is reported with its row, column and a sentence a
facilitator can fix from, and a plan with problems is not applicable."""

from __future__ import annotations

import os

from server.domain.seed_files import Merge, OpeningThread, Person
from server.domain.seed_files.text import CP1252_NOTE, UNREADABLE

from .reading import problems, read, read_file

STAGES_LISTED = "Discovery, Co-Design, Incubation, Live, Archived"
HEADINGS = "Concept,Stage,Participants"


def test_bad_address_unknown_stage_missing_title_and_facilitator_that_is_not_an_address() -> None:
    plan = read_file("broken.csv")
    assert not plan.applicable
    assert problems(plan) == [
        (2, "Stage", f"'Alpha' is not a stage; write one of {STAGES_LISTED}."),
        (2, "Participants", "'bob at camden' is not an email address; write each address like name@council.gov.uk, separated by ';'."),
        (3, "Concept", "The concept has no title; write its name here."),
        (4, "Facilitator", "'Jo from LGD' is not an email address; write the facilitator's address, like name@council.gov.uk."),
    ]
    assert str(plan.problems[0]) == f"Row 2, Stage: 'Alpha' is not a stage; write one of {STAGES_LISTED}."


def test_empty_file_and_whitespace_only_file() -> None:
    message = "The file is empty; export the spreadsheet again with its heading row and one row per concept."
    assert problems(read_file("empty.csv")) == [(None, None, message)]
    assert problems(read(b"\r\n\r\n  \n")) == [(None, None, message)]
    assert problems(read(b"\xef\xbb\xbf,,,\r\n,,\r\n")) == [(None, None, message)]


def test_header_only() -> None:
    plan = read_file("header-only.csv")
    assert problems(plan) == [(1, None, "The file has a heading row but no concepts; add one row per concept below the headings.")]
    assert plan.rooms == ()


def test_random_bytes_are_refused_as_unreadable() -> None:
    data = bytes(range(256)) * 4 + os.urandom(512)
    assert problems(read(b"Concept,Stage,Participants\n" + data)) == [(None, None, UNREADABLE)]


def test_windows_1252_is_read_with_a_note() -> None:
    """Excel on Windows saves plain "CSV" as Windows-1252: read it, and say so."""
    data = f"{HEADINGS},Lead organisation\nZoë's £5 idea,Live,zoe@camden.example,Café – Co\n".encode("cp1252")
    plan = read(data)
    assert plan.problems == ()
    assert plan.notes == (CP1252_NOTE,)
    assert [(r.title, r.lead_organisation) for r in plan.rooms] == [("Zoë's £5 idea", "Café – Co")]


def test_semicolon_file_is_accepted_and_named_commas_inside_items_kept() -> None:
    plan = read_file("semicolon.csv")
    assert plan.problems == ()
    assert [(r.title, r.stage, r.tags, r.participants) for r in plan.rooms] == [
        ("Blue badges", "co-design", ("parking", "access"), (Person("ada@camden.example"), Person("jane@leeds.example", "Smith, Jane"))),
        ("School transport", "live", ("transport",), (Person("ben@kent.example"),)),
    ]


def test_heading_row_that_reads_equally_with_two_separators_is_refused() -> None:
    plan = read(b"Concept;Summary,Stage\nA;b,c\n")
    assert problems(plan) == [
        (1, None, "The heading row is separated by ',' and ';', and reads as well either way; save the file again with one separator.")
    ]


def test_row_written_with_another_separator_than_the_heading_row() -> None:
    plan = read(b"Concept;Stage;Participants\nBlue badges;Discovery;ada@camden.example\nSchool transport,Live,ben@kent.example\n")
    assert problems(plan) == [(3, None, "This row is separated by ',' but the heading row by ';'; save the file again with one separator.")]


def test_unknown_and_missing_columns_name_what_was_found_and_what_is_expected() -> None:
    plan = read(b"Concept;Colour;Particpants\nBlue badges;blue;ada@camden.example\n")
    expected = (
        "Convene needs the columns Concept, Stage, Participants, and reads Summary, Lead organisation, Facilitator, "
        "Opening questions, Tags, Visibility, User need, Cost benefit, Rapid success when present"
    )
    found = "Columns found: Concept, Colour, Particpants (separated by ';')"
    assert problems(plan) == [
        (1, "Colour", f"'Colour' is not a column Convene reads; rename or remove it. {found}. {expected}."),
        (1, "Particpants", f"'Particpants' is not a column Convene reads; rename or remove it. {found}. {expected}."),
        (1, None, f"The heading row has no Stage, Participants column. {found}. {expected}."),
    ]
    assert plan.rooms == ()


def test_headings_match_ignoring_case_spaces_and_underscores_and_repeated_columns_are_refused() -> None:
    plan = read(b"TITLE,stage,PARTICIPANTS,lead_organisation,Opening Questions,visibility\nA,co design,a@b.example,LGD,Why?,Invite only\n")
    assert plan.problems == ()
    room = plan.rooms[0]
    assert (room.title, room.stage, room.lead_organisation, room.questions, room.visibility) == (
        "A",
        "co-design",
        "LGD",
        ("Why?",),
        "invite",
    )
    assert problems(read(b"Concept,Title,Stage,Participants\nA,B,Live,a@b.example\n")) == [
        (1, "Title", "'Concept' and 'Title' are the same column; keep one of them.")
    ]


def test_unclosed_quote_and_stray_cells_are_located() -> None:
    assert problems(read(b'Concept,Stage,Participants\nA,Live,a@b.example\nB,Live,"a@b.example\n')) == [
        (3, None, "This row cannot be read (unexpected end of data); check for a stray '\"' or a quoted cell that is never closed.")
    ]
    assert problems(read(b"Concept,Stage,Participants\nA, B,Live,a@b.example\n")) == [
        (2, None, "This row has a value in column 4, which has no heading; a cell containing ',' must be in quotes."),
        (2, "Stage", f"'B' is not a stage; write one of {STAGES_LISTED}."),
        (2, "Participants", "'Live' is not an email address; write each address like name@council.gov.uk, separated by ';'."),
    ]


def test_blank_stage_and_bad_visibility_and_too_long_question() -> None:
    long = "Why " * 60
    plan = read(f"Concept,Stage,Participants,Visibility,Opening questions\nA,,a@b.example,secret,{long}\n".encode())
    assert problems(plan) == [
        (2, "Visibility", "'secret' is not a visibility; write open, or invite-only for a room only its members see."),
        (
            2,
            "Opening questions",
            "The question starting 'Why Why Why Why Why Why Why Why Why Why ' is 239 characters; the longest allowed is 200.",
        ),
        (2, "Stage", f"The stage is blank; write one of {STAGES_LISTED}."),
    ]


def test_more_than_one_facilitator_in_a_cell() -> None:
    plan = read(b"Concept,Stage,Participants,Facilitator\nA,Live,a@b.example,x@y.example; z@y.example\n")
    assert problems(plan) == [(2, "Facilitator", "Only one facilitator per concept, and this has 2; list the others as participants.")]


def test_file_over_the_size_limit_is_refused() -> None:
    plan = read(b"Concept,Stage,Participants\n" + b"A,Live,a@b.example\n" * 100, max_bytes=1000)
    assert problems(plan) == [(None, None, "The file is 1,927 bytes; the largest accepted is 1,000 bytes. Split it.")]
    big = read(b"x" * (6 * 1024 * 1024))
    assert problems(big) == [(None, None, "The file is 6.0 MB; the largest accepted is 5.0 MB. Split it.")]


def test_duplicate_concept_is_one_room_with_both_rows_and_the_merge_reported() -> None:
    plan = read_file("duplicate-concept.csv")
    assert plan.problems == ()
    assert plan.merged == (Merge("Blue badges", rows=(2, 5)),)
    assert str(plan.merged[0]) == (
        "Rows 2 and 5 are the same concept, 'Blue badges': they make one room with all their questions and people."
    )
    badges, transport = plan.rooms
    assert badges.source_rows == (2, 5)
    assert (badges.title, badges.stage, badges.tags) == ("Blue badges", "discovery", ("parking", "access"))
    assert badges.facilitator == Person("facilitator@localdigital.example")
    assert badges.participants == (Person("ada@camden.example"), Person("cy@bristol.example"))
    assert badges.opening_threads == (
        OpeningThread("Who assesses eligibility?"),
        OpeningThread("How long do renewals take?"),
        OpeningThread("What does fraud cost?"),
    )
    assert transport.source_rows == (3,)


def test_duplicate_concept_with_different_stages_is_a_problem() -> None:
    plan = read(b"Concept,Stage,Participants\nBlue badges,Discovery,a@b.example\nBLUE BADGES,Live,c@d.example\n")
    assert problems(plan) == [
        (3, "Stage", "This concept is also on row 2 with stage 'discovery', here 'live'; make them the same, or leave one blank.")
    ]


def test_facilitator_listed_as_participant_is_the_owner_only_and_tags_are_unique() -> None:
    plan = read(
        b"Concept,Stage,Facilitator,Participants,Tags\nA,Live,Sam <SAM@lgd.example>,sam@lgd.example; a@b.example,#API; api; Open Data\n"
    )
    assert plan.problems == ()
    (room,) = plan.rooms
    assert (room.facilitator, room.participants, room.tags) == (
        Person("sam@lgd.example", "Sam"),
        (Person("a@b.example"),),
        ("api", "open data"),
    )


def test_bytes_undefined_in_windows_1252_and_a_broken_utf16_file_are_unreadable() -> None:
    assert problems(read(b"Concept,Stage,Participants\nA\x81\xe9,Live,a@b.example\n")) == [(None, None, UNREADABLE)]
    assert problems(read(b"\xff\xfe" + "Concept\tStage".encode("utf-16-le") + b"\x00\xd8")) == [
        (None, None, f"The file starts as UTF-16-LE but byte 28 is not; {UNREADABLE}")
    ]
