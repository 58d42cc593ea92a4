"""`models`: list the catalog profile in use with lifecycle status and prices."""

from __future__ import annotations

import argparse

from rich.table import Table

from cli.app import CommandError
from cli.render import add_model_column, console, print_lifecycle_warnings
from router.catalog import load_catalog
from router.models import Tier
from router.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("models", help="list the catalog profile's models, status and prices")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--profile", help="catalog profile (default: LLM_ROUTER_CATALOG_PROFILE or 'current')")
    which.add_argument("--all", action="store_true", help="list every profile of the catalog")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    catalog = load_catalog(settings.catalog_path)
    if args.profile is not None and args.profile not in catalog.profiles:
        raise CommandError(
            f"--profile {args.profile}: catalog profile not found: allowed {', '.join(sorted(catalog.profiles))}"
        )
    names = sorted(catalog.profiles) if args.all else [args.profile or settings.catalog_profile]
    for name in names:
        profile = catalog.profile(name)
        table = Table(title=f"profile '{name}': {profile.description}")
        table.add_column("Tier")
        add_model_column(table, [catalog.models[profile.tiers[tier]].anthropic_id for tier in Tier])
        for column in ("Status", "Retires", "Input $/M", "Output $/M", "Cache read $/M", "Bands"):
            table.add_column(column)
        for tier in Tier:
            entry = catalog.models[profile.tiers[tier]]
            band = entry.pricing.bands[0]
            bands = ", ".join(
                f"≤{b.max_prompt_tokens:,}" if b.max_prompt_tokens else "above" for b in entry.pricing.bands
            )
            table.add_row(
                str(tier.value),
                entry.anthropic_id,
                entry.status.value,
                entry.retires_on.isoformat() if entry.retires_on else "-",
                f"{band.input:g}",
                f"{band.output:g}",
                f"{band.cache_read:g}",
                bands if len(entry.pricing.bands) > 1 else "one",
            )
        console.print(table)
        print_lifecycle_warnings(catalog.lifecycle_warnings(name), console)
    return 0
