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


# Re-recorded when subjects took the national programme's order (school.Subject.programme_order):
# every card lists its subjects in a new order, so every hash moved once, on purpose. Before,
# they were recorded from the untyped cards of commit 91b2a9a (before cards carried codes and
# decimals beside their text). They must not change otherwise: issued cards are verified by
# them — a run compares a pupil's new card with the stored one by this hash, and a changed hash
# re-issues the card (new PDF, new verification code) though nothing printed on it changed.
# 2,712 cards: 1,356 pupils (the upper-secondary school's complete term I, the primary school's
# mid-term I), each with a term I card and a whole-year card. To re-record after a change that
# should move them: print `demo_card_hashes()` under the `seeded` fixture in this format.
PINNED = {
    ('thpt-ha-long', '10A1', '1'):
        (41, "f23c068079abbe672f29bfaeb1a254b85a8d91b2ecc9673613b7ad2103521307"),
    ('thpt-ha-long', '10A1', 'year'):
        (41, "78bbcdc458d230f63dfc95dde152fa3d7c3c26b1b3fba4d3306525dd3cf45b85"),
    ('thpt-ha-long', '10A10', '1'):
        (38, "8ad614f7825a05123a67fcdcb692dc619133756fe5d8bca5d6e7440934b2b5eb"),
    ('thpt-ha-long', '10A10', 'year'):
        (38, "c33aa4a67997c7bc961aa5b03bcef961161fa148fc9ba271f260df0c4ab41810"),
    ('thpt-ha-long', '10A2', '1'):
        (38, "e07e5a1d241fd4293a148c3f550839ca0023dc8cf63160b22f6329045d5a1deb"),
    ('thpt-ha-long', '10A2', 'year'):
        (38, "0ea267cdf90cd8524aa3071512d0eed18846737c05f0d51103297104d7ebd971"),
    ('thpt-ha-long', '10A3', '1'):
        (41, "8cb6abc7579b07542cc49a4b8ba3638d6215284af37d139c9e4f30253985b3ae"),
    ('thpt-ha-long', '10A3', 'year'):
        (41, "e5f2d93aafe722ff9f18b3ebcf72941fd8d8f01d4e7be2a7d4c8131f6ee29837"),
    ('thpt-ha-long', '10A4', '1'):
        (39, "823e22a69cf70adcca0d6dc8432bcd45f60bd1b030948d3d932ade1925b6cedc"),
    ('thpt-ha-long', '10A4', 'year'):
        (39, "1e4d964f21265d45cbc45b4ec3705c66ce4b4539676d10d8ec9351623bb8305a"),
    ('thpt-ha-long', '10A5', '1'):
        (42, "0278a171d0dbcba5f9129d593e3d8edc58b758ab16c9274445e802f704b9f6bb"),
    ('thpt-ha-long', '10A5', 'year'):
        (42, "43a0a96a2e65b5009d54ea711205642c3abc7b6e2d04f7eaf04f48d1f4e54e6f"),
    ('thpt-ha-long', '10A6', '1'):
        (41, "36c57c03d32937b58dcbe3054d9783bec23c98f4e7b99f4cb00766c6f3ed98aa"),
    ('thpt-ha-long', '10A6', 'year'):
        (41, "3fa1ced5abc6cdb096c549fe580950020880786ecc89d640ca906fe7a7f245b2"),
    ('thpt-ha-long', '10A7', '1'):
        (42, "1734345a0e3a87e719a4ee082a1d3b1a63828fd4144e7b5932d821679b2ef030"),
    ('thpt-ha-long', '10A7', 'year'):
        (42, "1a2a28a003af849c0e010647e8f6f5fe2cca98999f49afe61cc57bd5c7678a1b"),
    ('thpt-ha-long', '10A8', '1'):
        (42, "8720e4a41c3f7eff25ba7077abf0cd036650df559ddbfa4113dad5769c19d0e8"),
    ('thpt-ha-long', '10A8', 'year'):
        (42, "e1cacb64a32d06571115bc4bf5e016470232d74a06ed546994dd664880845d02"),
    ('thpt-ha-long', '10A9', '1'):
        (38, "c99b4c7d5c0086598ffd48052a74f090cab619e84e853a71a34e64c3be5a4494"),
    ('thpt-ha-long', '10A9', 'year'):
        (38, "c337e1b03e40b18cafe8922ae8c6c12175b8be49d89f204406c53ef191440a3c"),
    ('thpt-ha-long', '11A1', '1'):
        (41, "9a86cdfae223f3d676719af5302605d4480223bc627d4cf32277c22825681cc3"),
    ('thpt-ha-long', '11A1', 'year'):
        (41, "76fa4c8a06f3dfb8c484e9548c5e2e09fda5e63367b90991b8227c3b46c782bf"),
    ('thpt-ha-long', '11A10', '1'):
        (40, "be6830fa5738088fed31f4a69776a27aa236346f8058f881d47a2ffb8b955a64"),
    ('thpt-ha-long', '11A10', 'year'):
        (40, "ea6983f37075eea1705838e9a2c4ed66f880878ed30dc614a6a951af90ea869f"),
    ('thpt-ha-long', '11A2', '1'):
        (42, "abcddf1f8830ea51ad7f28a6f2c9b1e54cd3b4b6b6122a4338146a38aa501366"),
    ('thpt-ha-long', '11A2', 'year'):
        (42, "7649483db76a12ea85d7d9afa394d322b22e32227f5fd558533f2513887f43a4"),
    ('thpt-ha-long', '11A3', '1'):
        (41, "747e2a78573ef23be660a9b58fe30af8324306968dbcf4709e17491ade7afe0c"),
    ('thpt-ha-long', '11A3', 'year'):
        (41, "b358c524896d6b4776cd6e5b7df8d1ce491ed6c50bc4b573889f0b07011472ed"),
    ('thpt-ha-long', '11A4', '1'):
        (39, "b5dd251edc94fbd59022f2b5d76edf58d1ae79cef7ecdbb8be238cdf27d2dc6d"),
    ('thpt-ha-long', '11A4', 'year'):
        (39, "b7c1dc19d398146a20fbb109f56830c8a408fc7a82125bf0bf5bfbec73ee206b"),
    ('thpt-ha-long', '11A5', '1'):
        (42, "82b008051167e1127cd5b9c5686d884e6f9495c6b6bee25529ed56980fd1d20d"),
    ('thpt-ha-long', '11A5', 'year'):
        (42, "05fc836085c36e4348e1e8c95f491e99c4ba4db13369aa2d1ffb44e7cb821bbd"),
    ('thpt-ha-long', '11A6', '1'):
        (41, "6c853b5585447aa79ca58468ed01eea9e24729517707be0da37a416be36543e0"),
    ('thpt-ha-long', '11A6', 'year'):
        (41, "49707330e60593709fb6b5bc64f8acd8bf5a316592d4147cf516a69dcad698d5"),
    ('thpt-ha-long', '11A7', '1'):
        (40, "c81ba5a45dfb3863feeec7de6412e19e58e4caf3901563dcbed9ee2babb69498"),
    ('thpt-ha-long', '11A7', 'year'):
        (40, "1978538fd42fda1430858b0279eb12739341845c78eea40f4c4056900fc6cc25"),
    ('thpt-ha-long', '11A8', '1'):
        (42, "440ad7fa6d594f277aa707972f50eb6498ac167fcf82e4aa892bcd052e7800a4"),
    ('thpt-ha-long', '11A8', 'year'):
        (42, "239475e3ec45a73787e6f5ad5c5e4979dabf79c0c85250b6ecdfc09b4c501804"),
    ('thpt-ha-long', '11A9', '1'):
        (39, "992c9e6b78031c3920912b3ad7ef57f48f99160d959cd747a9ce9072d7aff5b3"),
    ('thpt-ha-long', '11A9', 'year'):
        (39, "fc782487fa54ac10b8235b9ff9abe49f621c2479e5ba6fda90d97d5fa7ccb50b"),
    ('thpt-ha-long', '12A1', '1'):
        (41, "83c5e6c98a1f510f0c583bb909a2194ba0f517022666c7e19a8969f3982af1e2"),
    ('thpt-ha-long', '12A1', 'year'):
        (41, "06154299ffd0eef2df16e3c3ba05e4eb470f17ca522211eb95b5ec57d252e8d2"),
    ('thpt-ha-long', '12A10', '1'):
        (42, "a73a7aa0266a69c91aacf65297dd60c88ac7036899d6356bc76d8baab4b425c3"),
    ('thpt-ha-long', '12A10', 'year'):
        (42, "4de2cca261bf6748364293dc04fbf840c8a5c4a38bb3f22f19ddc6512013e33f"),
    ('thpt-ha-long', '12A2', '1'):
        (42, "3d8492ec0b9c81467b573bde0f3c06957745cea46af6104f062b09064e6c29d3"),
    ('thpt-ha-long', '12A2', 'year'):
        (42, "f1c8246893fbc4f3ab5a529ea865100e9bc6fcdb8c4915008aabd3fc0fbcc064"),
    ('thpt-ha-long', '12A3', '1'):
        (42, "aded9651aba620af98ee9da23e462026f159876431b23bdf10086f1983d0de8e"),
    ('thpt-ha-long', '12A3', 'year'):
        (42, "452d046b6cc0d53a673ce5999db1e80a250bc3f304c88e6a68d96523b9ae6a31"),
    ('thpt-ha-long', '12A4', '1'):
        (40, "c04decd084a1a4999e5d07791dbe10634b76ccb4ec14c406fe7f6bb01e73f67c"),
    ('thpt-ha-long', '12A4', 'year'):
        (40, "e294c653a0f380f6305489f455d41c42cff73fec0fec3ecb4e7d614486c77c04"),
    ('thpt-ha-long', '12A5', '1'):
        (38, "bb7d022eac1dda052affa3b275ea0dbe6e4fb74809dfaa54352d7ac2607cad75"),
    ('thpt-ha-long', '12A5', 'year'):
        (38, "18c8779e3cac71ada1c99afe28f24a3c3014823aace662ec811bb68ed5d6d9d3"),
    ('thpt-ha-long', '12A6', '1'):
        (39, "d88a12592893d0a14ca78c05521b9ed59c7ab42a483a376b4f7b9de7d9fc225b"),
    ('thpt-ha-long', '12A6', 'year'):
        (39, "7b7e874ca9951ac809df1f5d84b429afc1fba332bd8a001bef5a61f1c72392b5"),
    ('thpt-ha-long', '12A7', '1'):
        (40, "6626fd33a23970c3af37465c46c564f5c716a15c4563ec99082bedce7ae9f78a"),
    ('thpt-ha-long', '12A7', 'year'):
        (40, "d91310bfdabcb61862442a95a9da56880eaf4a095e2a8eb8ad872ccaea09313e"),
    ('thpt-ha-long', '12A8', '1'):
        (41, "236968e93e54e08311def7116c5852c077a097a680f8ffedaa7fbf3b31a040b2"),
    ('thpt-ha-long', '12A8', 'year'):
        (41, "20a4b2635373f839ec23105eede4efe2090df58c7573394832a9e3c2af773ec8"),
    ('thpt-ha-long', '12A9', '1'):
        (41, "f423f94b2d8dda768cd56da9f21388c834a64f8de9e829d8e15ad7bf3ee6b271"),
    ('thpt-ha-long', '12A9', 'year'):
        (41, "5716288a30d5fdc48218f1f40946d2e647b8ae595deaad37a3fca62a33ed1fc1"),
    ('th-tran-hung-dao', '1A', '1'):
        (28, "6df15e3bab40bc36ea544cde85869f5872a77877a94707fc4a4df606d869594d"),
    ('th-tran-hung-dao', '1A', 'year'):
        (28, "9ffd163e5e3e7afc64e9c8e32691c53fec70ea567fc07e0b8ec178ad5e815bbf"),
    ('th-tran-hung-dao', '2A', '1'):
        (27, "5d348cdc7ebadf6ac35d48a372345367ef4ed4312a48844680f56525064d1aa5"),
    ('th-tran-hung-dao', '2A', 'year'):
        (27, "1953aaa56892a7a54cdcdb007c2fb67e4f3fd120fbb58b01431288718a9212b0"),
    ('th-tran-hung-dao', '3A', '1'):
        (30, "8841f1e0eed37eab9fe231f38c75f7e152802cdfa22791fb6dbe9e0db3319f2e"),
    ('th-tran-hung-dao', '3A', 'year'):
        (30, "326b89165ae3eca1f8cbff536857ffbed00c590553e1093dbe916e9738987509"),
    ('th-tran-hung-dao', '4A', '1'):
        (28, "58b444a3975a8016ed3182f2c2e274b4e47ddfaaa2cc3b9625d3d6e46c1efead"),
    ('th-tran-hung-dao', '4A', 'year'):
        (28, "1dd82493dbf5c4c4a45cddf9e2cc1df7e4c9e02d464fb57ab987520a6efc667f"),
    ('th-tran-hung-dao', '5A', '1'):
        (28, "2a4ec2cd7725a267dd7c220ed8b5f7d7910c6893b18c968f0f5d15c04ff48726"),
    ('th-tran-hung-dao', '5A', 'year'):
        (28, "794639edcce3127b356df999e889b543b24eebee65ad6fb1367b92c4c2fe7759"),
}
