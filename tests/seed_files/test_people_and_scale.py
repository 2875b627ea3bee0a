"""Address cells as people type them, and a large file read in bounded time."""

from __future__ import annotations

from server.domain.seed_files import Person
from server.domain.seed_files.people import people

from .reading import problems, read


def test_address_cells_in_every_shape_seen_in_workshop_sheets() -> None:
    cell = (
        'parking.lead@camden.example; Debt Recovery Team <debt@bristol.example>, "Web, Content" <content@bristol.example>\n'
        "Smith, Jane <jane@leeds.example>;; mailto:Ops@Kent.Example ; PARKING.LEAD@camden.example"
    )
    found, errors = people(cell)
    assert errors == []
    assert found == [
        Person("parking.lead@camden.example"),
        Person("debt@bristol.example", "Debt Recovery Team"),
        Person("content@bristol.example", "Web, Content"),
        Person("jane@leeds.example", "Smith, Jane"),
        Person("ops@kent.example"),
    ]


def test_a_name_given_later_is_kept_for_an_address_first_written_bare() -> None:
    found, _ = people("ada@camden.example; Ada Lovelace <ADA@camden.example>")
    assert found == [Person("ada@camden.example", "Ada Lovelace")]


def test_each_item_that_is_not_an_address_is_named() -> None:
    _, errors = people("ada@camden, Bob <bob@>, <>, @camden.example, ok@camden.example")
    assert errors == [
        "'ada@camden' is not an email address",
        "'Bob <bob@>' is not an email address",
        "'<>' is not an email address",
        "'@camden.example' is not an email address",
    ]


def _rows(count: int) -> bytes:
    lines = ["Concept,Summary,Stage,Lead organisation,Facilitator,Participants,Opening questions,Tags"]
    for n in range(count):
        lines.append(
            f'Concept {n},"Summary {n}, with a comma",Co-Design,Council {n % 40},facilitator@localdigital.example,'
            f'"a{n}@camden.example; Team {n} <team{n}@bristol.example>, B{n}@Leeds.example","Question one for {n}?\nQuestion two?",'
            f"api; tag{n % 7}"
        )
    return ("\r\n".join(lines) + "\r\n").encode()


def test_five_thousand_rows_are_all_read() -> None:
    # How fast is measured outside the tests (speed claims live in `make bench`); the
    # pytest timeout still catches a reader gone quadratic.
    data = _rows(5000)
    plan = read(data, "big.csv")
    assert plan.problems == ()
    assert len(plan.rooms) == 5000
    last = plan.rooms[-1]
    assert last.source_rows == (5001,)
    assert [p.email for p in last.participants] == ["a4999@camden.example", "team4999@bristol.example", "b4999@leeds.example"]
    assert last.questions == ("Question one for 4999?", "Question two?")


def test_problems_in_a_large_file_are_all_reported_with_their_rows() -> None:
    data = _rows(3000).replace(b"Co-Design,Council 17,", b"Beta,Council 17,")
    plan = read(data, "big.csv")
    rows = [row for row, column, _ in problems(plan)]
    assert rows == [n + 2 for n in range(3000) if n % 40 == 17]
    assert {column for _, column, _ in problems(plan)} == {"Stage"}
