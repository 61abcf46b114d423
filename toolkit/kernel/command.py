"""What `rfp model diff-kernel` does, as a function returning its report and its verdict."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from toolkit.errors import ExternalToolError, InputError
from toolkit.kernel.build import SOURCE, unavailable


def diff_kernel(
    files: Sequence[str],
    count: int | None,
    seed: int,
    uml_pages: int | None,
    repro: Path,
    verbose: bool = False,
) -> tuple[str, bool]:
    """The report of a diff-kernel run and whether every comparison agreed."""
    if uml_pages is not None:
        from toolkit.kernel.render import render_uml
        from toolkit.kernel.uml import uml_pattern

        if uml_pages < 1:
            raise InputError("--uml needs at least one page")
        return render_uml(uml_pattern(uml_pages)), True
    why = unavailable()
    if why is not None:
        raise ExternalToolError(why, SOURCE)
    from toolkit.kernel.diff import run_paths, run_random
    from toolkit.kernel.render import render_campaign
    from toolkit.scenario.files import scenario_paths

    if count is not None:
        if count < 1:
            raise InputError("--random needs at least one scenario")
        campaign = run_random(count, seed, repro)
    else:
        campaign = run_paths(scenario_paths(files), repro)
    agreed = campaign.failing is None
    return render_campaign(campaign, verbose), agreed
