"""The sample workshop output reads into exactly the rooms a facilitator expects."""

from __future__ import annotations

from server.domain.seed_files import Event, OpeningThread, Person, Room

from .reading import FILES, read, read_file

FACILITATOR = Person("facilitator@localdigital.example")

EXPECTED = (
    Room(
        title="DVLA data API for parking and debt recovery",
        summary="Direct, audited access to the keeper data councils need for parking enforcement, debt collection and licensing, "
        "replacing batch requests.",
        stage="discovery",
        tags=("api", "parking", "dvla"),
        lead_organisation="DVLA",
        visibility="open",
        facilitator=FACILITATOR,
        # PARKING.LEAD@camden.example is the same person as parking.lead@: counted once.
        participants=(
            Person("parking.lead@camden.example"),
            Person("debt@bristol.example", "Debt Recovery Team"),
            Person("licensing@brighton-hove.example"),
        ),
        opening_threads=(
            OpeningThread("What keeper data does each council request today, and how often?"),
            OpeningThread("Which legal gateways apply to licensing?"),
        ),
        source_rows=(2,),
    ),
    Room(
        title="Deferred social care payments calculator",
        summary="A calculator residents and care teams can use ahead of the Care Act deferred payment agreements starting in April.",
        stage="co-design",
        tags=("care act", "calculator"),
        lead_organisation="Department of Health",
        visibility="open",
        facilitator=FACILITATOR,
        participants=(Person("care.finance@sevenoaks.example"), Person("adult.social.care@camden.example"), Person("policy@dh.example")),
        opening_threads=(
            OpeningThread("Which interest and charge rules must the calculator follow?"),
            OpeningThread("Who signs off the figures it shows residents?"),
        ),
        source_rows=(3,),
    ),
    Room(
        title="Land Registry data API for councils",
        summary="Programmatic access to the parts of title and price-paid data that local land charges and council tax teams "
        "check by hand.",
        stage="discovery",
        tags=("api", "land registry"),
        lead_organisation="Land Registry",
        visibility="open",
        facilitator=FACILITATOR,
        participants=(Person("land.charges@brighton-hove.example"), Person("council.tax@bristol.example")),
        opening_threads=(OpeningThread("Which title fields do land charges teams look up most?"),),
        source_rows=(5,),  # row 4 is blank, as the spreadsheet shows it
    ),
    Room(
        title="Local Links refresh",
        summary="Keep the links between national and local service pages accurate so residents land on their own council's page.",
        stage="incubation",
        tags=("content", "website"),
        lead_organisation="LocalGov Digital",
        visibility="open",
        facilitator=Person("coordinator@localgovdigital.example"),
        participants=(
            Person("web.team@sevenoaks.example"),
            Person("digital@camden.example"),
            Person("content@bristol.example", "Web, Content"),
        ),
        opening_threads=(OpeningThread("How are broken links reported today?"),),
        source_rows=(6,),
        user_need="Residents land on the wrong council's page and ring the council instead",
        cost_benefit="Fewer calls about wrong pages; one shared link list instead of 300",
        rapid_success="The link checker exists; councils only need to adopt it",
    ),
)


def test_sample_reads_into_exactly_the_expected_rooms() -> None:
    plan = read_file("discovery-day.csv")
    assert plan.problems == ()
    assert plan.applicable
    assert plan.event == Event("discovery-day")
    assert plan.rooms == EXPECTED
    assert plan.facilitators == (FACILITATOR, Person("coordinator@localgovdigital.example"))
    assert plan.merged == ()
    assert plan.notes == ()


def test_event_name_given_wins_over_the_file_name() -> None:
    plan = read((FILES / "discovery-day.csv").read_bytes(), r"C:\Users\sam\Desktop\discovery-day.csv", event_name="  Discovery Day  Leeds ")
    assert plan.event == Event("Discovery Day Leeds")
    assert read((FILES / "discovery-day.csv").read_bytes(), "/tmp/upload/discovery-day.csv").event == Event("discovery-day")


def test_the_same_sample_without_bom_with_lf_or_crlf_reads_the_same() -> None:
    text = (FILES / "discovery-day.csv").read_bytes().decode("utf-8-sig")
    lf = text.replace("\r\n", "\n")
    assert "\r" not in lf
    assert read(text.encode()).rooms == EXPECTED
    assert read(lf.encode()).rooms == EXPECTED
    assert read(lf.replace("\n", "\r\n").encode()).rooms == EXPECTED


def test_sample_as_utf16_tab_separated_reads_the_same() -> None:
    """Excel's "Unicode text": UTF-16 LE with a BOM, cells separated by tabs."""
    import csv
    import io

    text = (FILES / "discovery-day.csv").read_bytes().decode("utf-8-sig")
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\r\n")
    for cells in csv.reader(io.StringIO(text, newline="")):
        writer.writerow(cells)
    data = b"\xff\xfe" + out.getvalue().encode("utf-16-le")
    plan = read(data, "discovery-day.txt")
    assert plan.problems == ()
    assert plan.rooms == EXPECTED
    big_endian = read(b"\xfe\xff" + out.getvalue().encode("utf-16-be"), "discovery-day.txt")
    assert big_endian.rooms == EXPECTED
