"""Mutation testing of the clock, boots and events modules (on demand, not in CI).

    pip install -e '.[mutation]'
    python tools/mutation.py [--max-children N] [--fresh]

Runs ``mutmut run`` with the configuration in pyproject.toml (``[tool.mutmut]``): every
one-line mutant of ``bootlag/clock.py``, ``bootlag/boots.py`` and ``bootlag/events.py`` is
tried against the fast unit tests of those modules (tests/test_clock_rules.py,
test_boots_rules.py,
test_boots_ends_rules.py, test_events_rules.py, test_events.py: hand-made records, no journal
tools; a mutant runs in a second or two). Then it prints the score per module and the
mutants that survived, less the ones listed below as equivalent, and exits non-zero if the
score is under 90 %. mutmut keeps its work in ``mutants/`` (git-ignored) and reruns only
what changed; ``--fresh`` starts over.

On a shared 2-core machine keep ``--max-children`` at 2 (the default here).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THRESHOLD = 0.90
MODULES = ("bootlag.clock", "bootlag.boots", "bootlag.events")

# Mutants that cannot change what the code does (mutmut's numbering, as `mutmut show NAME`
# prints them), each with why. Keep this list short: a new survivor wants a test first.
EQUIVALENT: dict[str, str] = {
    "bootlag.clock.x_gap_facts__mutmut_14":
        "`and` -> `or` in an assert over records already filtered to have both clocks",
    "bootlag.boots.x_early_arg__mutmut_9":
        'the default "1" -> "XX1XX": either is not a false word',
    "bootlag.boots.x__host__mutmut_8": 'rsplit("/") without maxsplit: [-1] is the same part',
    "bootlag.boots.x__host__mutmut_12": 'rsplit("/", 2): [-1] is the same part',
    "bootlag.boots.x__host__mutmut_19": 'split(".") without maxsplit: [0] is the same part',
    "bootlag.boots.x__host__mutmut_22": 'split(".", 2): [0] is the same part',
    "bootlag.boots.x__signatures__mutmut_7": 'the "mono" tag renamed: it only has to differ',
    "bootlag.boots.x__signatures__mutmut_8": 'the "mono" tag renamed: it only has to differ',
    "bootlag.boots.x__signatures__mutmut_10": 'the "real" tag renamed: it only has to differ',
    "bootlag.boots.x__signatures__mutmut_11": 'the "real" tag renamed: it only has to differ',
    "bootlag.boots.x_merge_same_boots__mutmut_27":
        "which of two id-less text keys names a merged boot: neither is a boot id, the row "
        "is the same",
    "bootlag.boots.x_assemble__mutmut_17":
        "sort kind: pandas applies `kind` to single-column sorts only (this one has four)",
    "bootlag.boots.x_assemble__mutmut_19": 'na_position="last" is pandas\' default',
    "bootlag.boots.x_assemble__mutmut_20":
        "sort kind: pandas applies `kind` to single-column sorts only (this one has four)",
    "bootlag.boots.x_assemble__mutmut_31":
        "sort kind: pandas applies `kind` to single-column sorts only (this one has four)",
    "bootlag.boots.x_assemble__mutmut_32":
        "sort kind: pandas applies `kind` to single-column sorts only (this one has four)",
    "bootlag.events.x_normalize__mutmut_27":
        "the prefix pattern is anchored at ^: it can match once, whatever `count` says",
    "bootlag.events.x_normalize__mutmut_29":
        "the prefix pattern is anchored at ^: it can match once, whatever `count` says",
    "bootlag.events.x_startup_phases__mutmut_4":
        'partition vs rpartition of " = ": systemd\'s line has one',
    "bootlag.events.x_startup_phases__mutmut_10":
        'partition vs rpartition of " (": each phase of systemd\'s line has one',
    "bootlag.events.x_classify__mutmut_1":
        "the trigger-word test is a shortcut: every rule's match holds a trigger word "
        "(test_events.py checks it), so without the shortcut the rules say None too",
    "bootlag.events.x__detail__mutmut_3":
        "`and` -> `or` in an assert: every ARMED rule has both a mode and a loader",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--fresh", action="store_true", help="forget earlier results")
    args = parser.parse_args()
    if args.fresh:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    mutmut = shutil.which("mutmut") or sys.exit("mutmut is missing: pip install -e '.[mutation]'")
    subprocess.run([mutmut, "run", "--max-children", str(args.max_children)], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL)
    listing = subprocess.run([mutmut, "results", "--all", "true"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout
    results = dict(re.findall(r"^\s*(\S+): (.+)$", listing, re.M))
    return report(results)


def report(results: dict[str, str]) -> int:
    """Print the score per module (equivalent mutants left out) and the survivors."""
    total, killed = Counter(), Counter()
    survivors = []
    for name, status in sorted(results.items()):
        module = name.rsplit(".", 1)[0]
        if name in EQUIVALENT:
            continue
        total[module] += 1
        if status in ("killed", "timeout"):  # a mutant that hangs the tests is caught too
            killed[module] += 1
        else:
            survivors.append(f"  {name}: {status}")
    for module in MODULES:
        share = killed[module] / total[module] if total[module] else 0.0
        print(f"{module:16} {killed[module]:4}/{total[module]:<4} killed  {share:6.1%}")
    raw_killed = sum(status in ("killed", "timeout") for status in results.values())
    print(f"{'raw':16} {raw_killed:4}/{len(results):<4} killed  "
          f"{raw_killed / max(len(results), 1):6.1%}   (equivalent mutants counted as alive)")
    all_total, all_killed = sum(total.values()), sum(killed.values())
    score = all_killed / all_total if all_total else 0.0
    print(f"{'all':16} {all_killed:4}/{all_total:<4} killed  {score:6.1%}"
          f"   ({len(EQUIVALENT)} equivalent mutants left out; see tools/mutation.py)")
    stale = sorted(set(EQUIVALENT) - set(results))
    if stale:
        print("listed as equivalent but no longer generated (renumbered? check them):",
              *stale, sep="\n  ")
    if survivors:
        print("survived (`mutmut show NAME` shows each):", *survivors, sep="\n")
    return 0 if score >= THRESHOLD else 1


if __name__ == "__main__":
    sys.exit(main())
