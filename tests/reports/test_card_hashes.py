"""The demo's report cards keep their content hashes.

A card's content hash decides whether a run re-renders it: a changed hash re-renders the PDF,
gives it a new verification code and supersedes the card a family already holds. So a change
to how cards are built that does not change what they print (a refactor, a typed field beside
the printed text) must leave every hash as it was. This test pins them for the demo's current
year: every class of both demo schools, term I and the whole year.

The demo is seeded once for the module inside a transaction rolled back at the end (as
tests/reports/test_demo_grades.py does). Two things in it are not the same in every test run,
and are made so here without touching what the cards print of the grade book:
- the demo writes the registers of days before the real today: marks from the demo's own
  "today" (25 November 2026) on are dropped, so the absences are those of that day;
- database ids depend on what ran before in the test database: the cards' id fields are
  replaced by natural keys (the pupil's code; the class, year and term by their position)
  before hashing, so the pinned value is the hash of the card's printed content and ids alike.
"""

import dataclasses
import datetime
import hashlib
import io

import pytest
from django.core.management import call_command
from django.db import transaction

from contactbook.models import AttendanceMark
from reports.cards.model import Card
from reports.cards.selectors import cards_for
from school.models import ClassGroup, Student, Term

pytestmark = pytest.mark.django_db

DEMO_TODAY = datetime.date(2026, 11, 25)
SCHOOLS = ("thpt-ha-long", "th-tran-hung-dao")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo seeded once, its registers as of DEMO_TODAY; rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        AttendanceMark.objects.filter(date__gte=DEMO_TODAY).delete()
        yield
        transaction.set_rollback(True)


def _stable(card: Card, codes: dict[int, str], class_number: int, term: Term | None):
    """The card with its database ids replaced by keys that are the same in every database."""
    return dataclasses.replace(
        card,
        student_id=int(codes[card.student_id]),
        class_group_id=class_number,
        school_year_id=0,
        term_id=None if term is None else term.number,
    )


def demo_card_hashes() -> dict[tuple[str, str, str], tuple[int, str]]:
    """(school code, class name, "1" or "year") -> (cards, SHA-256 over the class's card
    hashes in class-list order): every card of the fixed set, one entry per class."""
    result = {}
    for school in SCHOOLS:
        classes = ClassGroup.objects.filter(
            school__code=school, school_year__is_current=True
        ).order_by("grade", "name")
        for number, group in enumerate(classes, start=1):
            codes = dict(
                Student.objects.filter(enrolments__class_group=group).values_list(
                    "pk", "student_code"
                )
            )
            term1 = Term.objects.get(school_year=group.school_year, number=1)
            for period, term in (("1", term1), ("year", None)):
                found = cards_for(group, group.school_year, term)
                digest = hashlib.sha256()
                for card in found:
                    digest.update(_stable(card, codes, number, term).content_hash().encode())
                result[(school, group.name, period)] = (len(found), digest.hexdigest())
    return result


def test_the_demos_card_hashes_are_unchanged(seeded):
    hashes = demo_card_hashes()
    assert sum(n for n, _digest in hashes.values()) == 2712
    assert hashes == PINNED


# Recorded from the untyped cards of commit 91b2a9a (before cards carried codes and decimals
# beside their text). They must not change: issued cards are verified by them — a run compares
# a pupil's new card with the stored one by this hash, and a changed hash re-issues the card
# (new PDF, new verification code) though nothing printed on it changed. 2,712 cards: 1,356
# pupils (the upper-secondary school's complete term I, the primary school's mid-term I), each
# with a term I card and a whole-year card.
PINNED = {
    ("thpt-ha-long", "10A1", "1"):
        (41, "10b40f8085e57819ccd5324e22ddca0e1ad99f88af45f6eed8e4b89962acc30d"),
    ("thpt-ha-long", "10A1", "year"):
        (41, "49d46251920e6c34682a6b2323e003dd909446d7ba71376aaab073ac75a5b8a5"),
    ("thpt-ha-long", "10A10", "1"):
        (38, "0a8e83242cd9b60ee07584bfef9228a5d6cc6d0c908e74c992777acf3e4aa369"),
    ("thpt-ha-long", "10A10", "year"):
        (38, "6334d2b57ddc0597135207270aa0813f57251d15c33da2c99dbce3f864216f5c"),
    ("thpt-ha-long", "10A2", "1"):
        (38, "d8f5cc17ca729a05846c7568fdd80253735b4c1f7e7f32458e3eb0e9362dffb7"),
    ("thpt-ha-long", "10A2", "year"):
        (38, "d2f9964555bca37318b012f718a741f11f213f718adae592fec7454922d0feb1"),
    ("thpt-ha-long", "10A3", "1"):
        (41, "f465d22121b444a86b7797e7cf2c65a65a24a5325e29646dec0530f538a78cd4"),
    ("thpt-ha-long", "10A3", "year"):
        (41, "1af2eb2007bd0b807c601f93866e8d24ab0daa0841f442d58a163ac6a879e371"),
    ("thpt-ha-long", "10A4", "1"):
        (39, "33ceb72306b9c8675a0f301963ae06ab19885cd342fa6d1227b4e350e7942d41"),
    ("thpt-ha-long", "10A4", "year"):
        (39, "12763635a5a65f78f949e0f788c270962a2901892e53cdcc558a37a07111848c"),
    ("thpt-ha-long", "10A5", "1"):
        (42, "922e20ce68e2da8b257d4d06d45d3a27690d0d9b877331826f6f48fbc5929b07"),
    ("thpt-ha-long", "10A5", "year"):
        (42, "926144f4f70093ef27ea71a637389e1eda75733e7d00fe9cb0a539c56fdd3c24"),
    ("thpt-ha-long", "10A6", "1"):
        (41, "5b8e3c70e90b365da127a76a02255e31f68f88f8e7d87d73685c32b031c77448"),
    ("thpt-ha-long", "10A6", "year"):
        (41, "a5f8c66e36bbd92e1819a5b05479226f692348812fd8c633a14db1de027bc975"),
    ("thpt-ha-long", "10A7", "1"):
        (42, "c1d86216c4160098683eba447bfc73c31016360296bfb2f558779e00f792d32a"),
    ("thpt-ha-long", "10A7", "year"):
        (42, "2a7f5e96c31ddd5d6cd3572a558daf3517febd705227b1b826a343008ef4e0cc"),
    ("thpt-ha-long", "10A8", "1"):
        (42, "331417e134deed7217e84e12c9d438f5f8510d91af659a4dbd01a5a8b27c7a55"),
    ("thpt-ha-long", "10A8", "year"):
        (42, "0eeb53384dc7285ec6ce059c479703865103800a1c5961b3fe33df3a92dd32cf"),
    ("thpt-ha-long", "10A9", "1"):
        (38, "6824c800d4b52add330cd7b29dfd9230d0197c6243525021199d7834c9408b24"),
    ("thpt-ha-long", "10A9", "year"):
        (38, "5322f509bfadb4f05d2087d54d7d79aff9fdb086d8af79e3a96a78ba7323caef"),
    ("thpt-ha-long", "11A1", "1"):
        (41, "ea8f85e2f9c37b4bbc37cb48b992356f7bde0cea9a7461ab15b5bb928811ff07"),
    ("thpt-ha-long", "11A1", "year"):
        (41, "f2216cd360c355323a5eb99d285ab52fcc617f559bfae1bc455ee2ab12f783e8"),
    ("thpt-ha-long", "11A10", "1"):
        (40, "37e21bf26545bff74c52ec0fe2f28898fd1db7ccf705ecdf72503320b39729a2"),
    ("thpt-ha-long", "11A10", "year"):
        (40, "15050615f38d908c7c94cd0863f12ae4b88bf7e7f4596acb879a2aa152a384f8"),
    ("thpt-ha-long", "11A2", "1"):
        (42, "dd7f18c46f2a32f41dcf09a5a5f5e37ef0104193c32995222f266bf2d022142e"),
    ("thpt-ha-long", "11A2", "year"):
        (42, "79c80425ac440dc98d516dab77eca9e8eba8191f33cd8a6d3cb64e97e5b06f42"),
    ("thpt-ha-long", "11A3", "1"):
        (41, "229bce6b37881a218b3e0485e1aac6d0d46c917665400afd5b2461e5d562bb72"),
    ("thpt-ha-long", "11A3", "year"):
        (41, "d131383baefc90b49369c7377fb1a1ec396028b996cbfb6337f3efd4db209fd1"),
    ("thpt-ha-long", "11A4", "1"):
        (39, "f44777801e770f4b130f9bfded01dec33ff0a6524d678cd0e68c0e383833af90"),
    ("thpt-ha-long", "11A4", "year"):
        (39, "7564718b04fd2e50a5421d4a143b1c7255bcafa2efc216e1b028fe0a6f003a7b"),
    ("thpt-ha-long", "11A5", "1"):
        (42, "805e26754dfbb2ec4a93f192c49abc7386d3f108342c596435342c6df1b92d31"),
    ("thpt-ha-long", "11A5", "year"):
        (42, "afb8ba8a81ce625cc61eae27f4317b654ff32ed6184145f214bcf165e6d75a1f"),
    ("thpt-ha-long", "11A6", "1"):
        (41, "294828940a409b1ee71a92aeb6dece77b00dc536a03795551621ab7197713ebf"),
    ("thpt-ha-long", "11A6", "year"):
        (41, "3a4af0fb8c6eaa6a2fef69856da7b2018757f6cdab911c95300b51c2fdad02b5"),
    ("thpt-ha-long", "11A7", "1"):
        (40, "fb025f2de7bba645a5e1704f617acbc18579dc7fea6aa38f8887de2761193526"),
    ("thpt-ha-long", "11A7", "year"):
        (40, "dc1ed883afda30eee65fe7bd04194d74f8c7f054a2baa3562622b66572c23dbb"),
    ("thpt-ha-long", "11A8", "1"):
        (42, "917c53177039fd31c426b14ab5fe3bd4ec68792629769e162d2ad191593ffc2a"),
    ("thpt-ha-long", "11A8", "year"):
        (42, "bf6962b76fa12f4a11fc305fa1f41f3240f78368c4ceb5c27adc370de4d12efb"),
    ("thpt-ha-long", "11A9", "1"):
        (39, "f135123b9bb71920c82211bb875ebde26b7a739c207e6d2434e30546ecb55c79"),
    ("thpt-ha-long", "11A9", "year"):
        (39, "175c5d51fc04f580d583dd52b51077b796fb4820eecd6ccd0f299baae447397e"),
    ("thpt-ha-long", "12A1", "1"):
        (41, "a3a37758c38be9dfd27582d2c20cef22aa5611c459ffb8d7ac83bd315c11b715"),
    ("thpt-ha-long", "12A1", "year"):
        (41, "65a2b49f03876b5dc9d41e5db2ed2f6f58bfd73f28b80c34b71223de0fbb5bbf"),
    ("thpt-ha-long", "12A10", "1"):
        (42, "7c37f146f015b819f9f63962dcbde1bde6f6be0279e2a32910a3442bafdd22ca"),
    ("thpt-ha-long", "12A10", "year"):
        (42, "f0b61e1d72250b9e92fa1c065436303097e815fa3c2cefd3634e8872d4cf3972"),
    ("thpt-ha-long", "12A2", "1"):
        (42, "b16a0b5cd5deec5cbb7f8aaa8e9045a018f30c54ef3b98362c857f735bffe03b"),
    ("thpt-ha-long", "12A2", "year"):
        (42, "fb543fe48d568a51707c503f5ea00fedcf0c19d26bd371d1ca87e8cab79c6e59"),
    ("thpt-ha-long", "12A3", "1"):
        (42, "5cfcff37ef31f0587067d9313e08111c66b9e3f5830674df6bce4ae3079a50b7"),
    ("thpt-ha-long", "12A3", "year"):
        (42, "3ab6fdb8cb18d0f1ec0fa3a823a222a0a9348b4f73c5cd6e9dc4bf41eb1d739e"),
    ("thpt-ha-long", "12A4", "1"):
        (40, "4aab5d0d1152374b41341365d4dcb8a37ee331b4a01c08fefb4f182cd2ad38c7"),
    ("thpt-ha-long", "12A4", "year"):
        (40, "67a31c53817b093e4b7f442dd752d4cab308966e37bcf6b7c87ab626e7a90f66"),
    ("thpt-ha-long", "12A5", "1"):
        (38, "d9addaad7c6f3d456ff93e9ca814a61f60657a92f933a73a6e8199fe042648a9"),
    ("thpt-ha-long", "12A5", "year"):
        (38, "abaee102c438524b83e574aa8aeb85ddb3ac30087d88aea52d13e6aba46b65e0"),
    ("thpt-ha-long", "12A6", "1"):
        (39, "fe5b4073869c3aaf3aa510a7d68137fdd4b0dc568c82084d8763be983229eda6"),
    ("thpt-ha-long", "12A6", "year"):
        (39, "45cf83dc0dfa86bf904d2b456288c25ec316d637b6c52896092420c25a61abb2"),
    ("thpt-ha-long", "12A7", "1"):
        (40, "44851e976e720d1d2de8cd040cf8b675daea5fcad31e30f9719d2a8fb0249c1f"),
    ("thpt-ha-long", "12A7", "year"):
        (40, "cd379340c4f30ed975e768cf8d3a99a1158504360d3fe523028a31f8a6d33235"),
    ("thpt-ha-long", "12A8", "1"):
        (41, "5cdb5c0ccfe925ad9f7e79de88a595cedddc0524629e5a8c7c30aee1dfe83e8a"),
    ("thpt-ha-long", "12A8", "year"):
        (41, "0728d1190459e3a5a4343abdf195e5e6f2f7445ab20b9e6d680deb9d4190db12"),
    ("thpt-ha-long", "12A9", "1"):
        (41, "e682ee9a7001fdabe93a036ae7e787f1126444722df0f973a9668ce32002e95f"),
    ("thpt-ha-long", "12A9", "year"):
        (41, "206a2226ff8fdf6726575658767cd4a207d362f7521240ea3bacab7dea6c7648"),
    ("th-tran-hung-dao", "1A", "1"):
        (28, "8e86612968140f683322f048a40d31306505867ba2bb4e0c1d424e38d310fa8a"),
    ("th-tran-hung-dao", "1A", "year"):
        (28, "6148c0389ad22aa599fe95244896057f574883f25c66784899a59e564e2978f3"),
    ("th-tran-hung-dao", "2A", "1"):
        (27, "31e41010eaa7763792a4463a2b5b66a10a48a4af4d3aef3fcb0704be712234e8"),
    ("th-tran-hung-dao", "2A", "year"):
        (27, "9748c564c6bf4e20175b50c462dbd9052cdf196660e860da0771b6ae586e0194"),
    ("th-tran-hung-dao", "3A", "1"):
        (30, "b4681fe963e58e69c6a5da3b10956d87e7475ad3b341350f70671d3c9ac3e447"),
    ("th-tran-hung-dao", "3A", "year"):
        (30, "a8562dcc55d6116deb38fe20c41759e26797a28347d683ff3aef07ae677582a4"),
    ("th-tran-hung-dao", "4A", "1"):
        (28, "f3ee04271256eea19ed1944fd536580a19bf7200949d763262d5830f350de0ab"),
    ("th-tran-hung-dao", "4A", "year"):
        (28, "a8d1c10a2c5217b8a1e01e78d8fb7d900e6323916eb103497f75e914cd634419"),
    ("th-tran-hung-dao", "5A", "1"):
        (28, "0c5f4b080bd79c02fe718f77e8f00b92c8fd58685d07a5711ff525b622799f10"),
    ("th-tran-hung-dao", "5A", "year"):
        (28, "336c5cc18a892345ac3433db538bdde0b84141c5562429076a787ab5f1d4c082"),
}
