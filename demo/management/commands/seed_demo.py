from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from appeals.services import appeals_index_missing, text_models_retrain
from campaigns.services import visits_flag
from core.errors import DomainError
from demo.appeals import DEMO_APPEALS, seed_demo_appeals
from demo.campaign import DEMO_VISITS, seed_demo_campaign
from demo.consultations import DemoConsultation, seed_demo_consultation
from demo.scale_appeals import scale_seed
from demo.units import DEFAULT_PASSWORD, demo_accounts_write, demo_logins, demo_seed
from insights.services import counters_refresh

# Appeals written in bulk on top of the service-driven ones: together a few thousand, as a prefecture has.
DEMO_BULK_APPEALS = 2500


class Command(BaseCommand):
    help = (
        "Seed the 黔南州 demo: every kind of department at the prefecture and in its 12 counties, "
        "a government in each of the 109 townships, and about two hundred cadres holding every role. "
        f"All demo accounts share one password, {DEFAULT_PASSWORD} unless --password says otherwise. "
        "Idempotent: a re-run changes nothing, except that every demo account gets the password given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help="the password of every demo account (default: %(default)s)",
        )
        parser.add_argument(
            "--accounts-out",
            type=Path,
            metavar="FILE",
            help="also write the demo accounts as JSON, one object per membership",
        )
        parser.add_argument(
            "--appeals",
            type=int,
            default=DEMO_APPEALS,
            help="demo appeals with full timelines, driven through the workflow services (default %(default)s)",
        )
        parser.add_argument(
            "--bulk-appeals",
            type=int,
            default=DEMO_BULK_APPEALS,
            help="further appeals written in bulk as seed_scale does, for realistic volumes (default %(default)s)",
        )
        parser.add_argument(
            "--visits",
            type=int,
            default=DEMO_VISITS,
            help="visits of the running demo campaign (冬春大走访), written in bulk; 0 seeds no campaign "
            "(default %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password: str = options["password"]
        try:
            summary = demo_seed(password=password)
            appeals = seed_demo_appeals(count=options["appeals"])
            # The service-driven appeals show every path of the workflow; the bulk ones give the queues and
            # figures a few thousand items without making the demo slow to set up. Both only on a first run.
            bulk = 0
            if not appeals.skipped and options["bulk_appeals"] > 0:
                bulk = scale_seed(appeals=options["bulk_appeals"]).appeals
                sum(appeals_index_missing())  # the bulk appeals' text keys, for the similar-appeals lookup
            # After the appeals: the visit-sourced ones are linked to visits of the campaign.
            campaign = seed_demo_campaign(visits=options["visits"])
            # The supervisors' page of doubtful visits shows the planted ones from the first minute, instead
            # of after the periodic check's first run.
            flags = visits_flag() if campaign.created else 0
            # 征集: a consultation open now with answers in groups of like suggestions, two adopted.
            consultation = (
                seed_demo_consultation()
                if options["appeals"] > 0
                else DemoConsultation(consultation=None, answers=0, adopted=0, skipped=True)
            )
            # The demo's appeals and visits were written in bulk: the dashboards' counters start from them.
            counters_refresh(full=True)
            # The dispatcher's text suggestions (category, lead unit) from the first minute, not after the
            # first night's retraining: the same training on the demo's closed appeals (a second run finds
            # no new labels and trains nothing).
            text_models_retrain()
        except DomainError as exc:
            raise CommandError(exc.message) from None
        accounts_out: Path | None = options["accounts_out"]
        if accounts_out is not None:
            demo_accounts_write(accounts=summary.accounts, path=accounts_out)
        self.stdout.write(
            f"demo seeded: units {summary.units_created} created, {summary.units_updated} updated; "
            f"users {summary.users_created} created, {summary.users_updated} updated; "
            f"memberships {summary.memberships_granted} granted; {appeals.line()}"
            + (f", {bulk} more in bulk" if bulk else "")
            + (f"; {campaign.line()}, {flags} plausibility flags" if campaign.created else "")
            + (
                f"; consultation {consultation.answers} answers, {consultation.adopted} adopted"
                if not consultation.skipped
                else ""
            )
            + (f"; accounts written to {accounts_out}" if accounts_out else "")
        )
        self.stdout.write(f"demo logins (password {password}):")
        for account in demo_logins(accounts=summary.accounts):
            self.stdout.write(f"  {account.role:<10} {account.username:<34} {account.unit}")
