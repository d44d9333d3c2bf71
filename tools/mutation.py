"""Mutation testing of the clock, boots and events modules (on demand, not in CI).

    pip install -e '.[mutation]'
    python tools/mutation.py [--max-children N] [--fresh]

Runs ``mutmut run`` with the configuration in pyproject.toml (``[tool.mutmut]``): every
one-line mutant of ``bootlag/clock.py``, ``bootlag/boots.py`` and ``bootlag/events.py`` is
tried against the fast unit tests of those modules (tests/test_clock_rules.py,
test_clock.py, test_boots_rules.py, test_boots_ends_rules.py, test_events_rules.py,
test_events.py: hand-made records and lines, no journal tools; a mutant runs in a second
or two). Then it prints the score per module and the
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

# Mutants that cannot change what the code does, each with why. A mutant is named by its
# function and the line mutmut makes of it (as `mutmut show NAME` prints it after "+"),
# not by mutmut's number, which moves when the code does; only a mutant that survived is
# looked up here. Keep this short: a new survivor wants a test first.
_ANCHORED = "the pattern is anchored at ^: it can match once, whatever `count` says"
EQUIVALENT: dict[tuple[str, str], str] = {
    ("bootlag.clock.x_gap_facts",
     "assert latest.real_us is not None or latest.mono_us is not None"):
        "`and` -> `or` in an assert over records already filtered to have both clocks",
    ("bootlag.events.x_early_arg",
     'return m is not None and (m.group(1) or "XX1XX").lower() not in _FALSE_WORDS'):
        'the default "1" -> "XX1XX": neither is a false word',
    ("bootlag.boots.x__host", 'name = fallbacks[0].rsplit("/", )[-1]'):
        'rsplit("/") without maxsplit: [-1] is the same part',
    ("bootlag.boots.x__host", 'name = fallbacks[0].rsplit("/", 2)[-1]'):
        'rsplit("/", 2): [-1] is the same part',
    ("bootlag.boots.x__host", 'return name.split(".", )[0] or name'):
        'split(".") without maxsplit: [0] is the same part',
    ("bootlag.boots.x__host", 'return name.split(".", 2)[0] or name'):
        'split(".", 2): [0] is the same part',
    ("bootlag.boots.x__signatures", 'yield (r.host, r.ident, r.message, "XXmonoXX", r.mono_us)'):
        'the "mono" tag renamed: it only has to differ from "real"',
    ("bootlag.boots.x__signatures", 'yield (r.host, r.ident, r.message, "MONO", r.mono_us)'):
        'the "mono" tag renamed: it only has to differ from "real"',
    ("bootlag.boots.x__signatures",
     'yield (r.host, r.ident, r.message, "XXrealXX", r.real_us // 1_000_000)'):
        'the "real" tag renamed: it only has to differ from "mono"',
    ("bootlag.boots.x__signatures",
     'yield (r.host, r.ident, r.message, "REAL", r.real_us // 1_000_000)'):
        'the "real" tag renamed: it only has to differ from "mono"',
    ("bootlag.boots.x_merge_same_boots",
     "keep, drop = (a, b) if _BOOT_ID.fullmatch(a) and not _BOOT_ID.fullmatch(b) \\"):
        "which of two id-less text keys names a merged boot: neither is a boot id, so the "
        "row is the same",
    ("bootlag.boots.x__protection",
     "or (r.kind is Kind.FAILED or isinstance(r.detail, Failure)"):
        "only FAILED and RESERVE_FAILED records carry a Failure, and the kernel's are left out",
    ("bootlag.boots.x__protection", 'if status != "armed" and not steps:'):
        "a boot not armed has no ARMED/ALREADY step, so the loop finds no first arming",
    ("bootlag.boots.x__protection", "loaded, since, unprotected = True, None, 0.0"):
        "`loaded` is read only after the first arming, which sets it",
    ("bootlag.boots.x__protection", "armed_once = None"): "None is as false as False",
    ("bootlag.boots.x__protection", "armed_once = True"):
        "before the first arming nothing is loaded, so an unload changes nothing either way, "
        "and an armed boot always has an arming",
    ("bootlag.boots.x__protection",
     "if armed_once and not loaded or since is not None:"):
        "`since` is set only by an unload after an arming: it implies the rest",
    ("bootlag.boots.x__reason",
     "isinstance(r.detail, Armed) or r.detail.mode == EARLY for r in by_kind[Kind.ARMED])"):
        "a boot with a reason has no ARMED record (any arming makes it armed or disarmed)",
    ("bootlag.boots.x__reason",
     "isinstance(r.detail, Armed) and r.detail.mode != EARLY for r in by_kind[Kind.ARMED])"):
        "a boot with a reason has no ARMED record (any arming makes it armed or disarmed)",
    ("bootlag.events.x_normalize", 'message = _PRINTK.sub("", message, )'): _ANCHORED,
    ("bootlag.events.x_normalize", 'message = _PRINTK.sub("", message, count=2)'): _ANCHORED,
    ("bootlag.events.x_normalize",
     'message = _DEBIAN_FAILED.sub("", _PREFIX.sub("", message, ))'): _ANCHORED,
    ("bootlag.events.x_normalize",
     'message = _DEBIAN_FAILED.sub("", _PREFIX.sub("", message, count=2))'): _ANCHORED,
    ("bootlag.events.x_startup_phases", 'body, _, total = text.partition(" = ")'):
        'partition vs rpartition of " = ": systemd\'s line has one',
    ("bootlag.events.x_startup_phases", 'value, _, name = part.strip().partition(" (")'):
        'partition vs rpartition of " (": each phase of systemd\'s line has one',
    ("bootlag.events.x_classify", "if not message and not TRIGGER.search(message):"):
        "the trigger-word test is a shortcut: every rule's match holds a trigger word "
        "(test_events.py checks it), so without it the rules say None too",
    ("bootlag.events.x__detail",
     "assert rule.mode is not None or rule.loader is not None"):
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
    return report(results, lambda name: _changed_line(mutmut, name))


def _changed_line(mutmut: str, name: str) -> str:
    """The line a mutant puts in place of the original (`mutmut show`)."""
    diff = subprocess.run([mutmut, "show", name], cwd=ROOT, capture_output=True,
                          text=True).stdout
    added = [line[1:].strip() for line in diff.splitlines()
             if line.startswith("+") and not line.startswith("+++")]
    return added[0] if added else ""


def report(results: dict[str, str], changed_line) -> int:  # type: ignore[no-untyped-def]
    """Print the score per module (equivalent mutants left out) and the survivors."""
    total, killed = Counter(), Counter()
    survivors, equivalent = [], set()
    for name, status in sorted(results.items()):
        module = name.rsplit(".", 1)[0]
        caught = status in ("killed", "timeout")  # a mutant that hangs the tests is caught too
        if not caught:
            key = (name.split("__mutmut_")[0], changed_line(name))
            if key in EQUIVALENT:
                equivalent.add(key)
                continue
        total[module] += 1
        if caught:
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
          f"   ({len(results) - all_total} equivalent mutants left out; see tools/mutation.py)")
    stale = sorted(set(EQUIVALENT) - equivalent)
    if stale:
        print("listed as equivalent but not among the survivors (killed now, or the code "
              "changed):", *(f"{f}: {line}" for f, line in stale), sep="\n  ")
    if survivors:
        print("survived (`mutmut show NAME` shows each):", *survivors, sep="\n")
    return 0 if score >= THRESHOLD else 1


if __name__ == "__main__":
    sys.exit(main())
