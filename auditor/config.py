"""Run options from `[tool.auditor]` in pyproject.toml or from an auditor.toml.

The nearest file wins, looking from the working folder upwards (an auditor.toml beats a
pyproject.toml in the same folder); a pyproject.toml without `[tool.auditor]` is passed
over. Options given on the command line win over the file. Unknown keys are errors, so a
typo never silently changes a run.

```toml
[tool.auditor]            # in auditor.toml: the same keys at top level (or under [tool.auditor])
select = ["change", "share.of_total"]   # rule ids or groups
ignore = ["code"]
min-severity = "warning"  # error | warning | info
jobs = 2                  # 0 = one per core, as on the command line
fail-on = "unreadable,error"  # what makes the exit code non-zero: any of unreadable, error, warning; or none
rules = ["my_rules"]      # extra rule folders, relative to this file
waivers = "waivers.yaml"  # relative to this file
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

SEVERITIES = ("info", "warning", "error")  # ascending
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
# what makes `auditor audit` exit non-zero, any of: an input that could not be audited (exit 2),
# error flags, warning flags (exit 1; warning includes error); "none" for always 0
FAIL_ON = ("unreadable", "error", "warning", "none")
DEFAULT_FAIL_ON = "unreadable,error"


class ConfigError(Exception):
    """A configuration that cannot be used; the message says which file and key."""


@dataclass
class Options:
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    min_severity: str | None = None
    jobs: int = 1
    rules: list[Path] = field(default_factory=list)
    waivers: Path | None = None
    source: Path | None = None  # the configuration file these came from, if any
    fail_on: str = DEFAULT_FAIL_ON  # comma-separated FAIL_ON tokens

    def merged(self, **cli: Any) -> "Options":
        """These options with every command-line value that was given (not None) on top."""
        given = {k: v for k, v in cli.items() if v is not None and v != []}
        return replace(self, **given)


_KEYS = {"select", "ignore", "min-severity", "min_severity", "jobs", "rules", "waivers", "fail-on", "fail_on"}


def find_config(start: Path | None = None) -> tuple[Path, dict] | None:
    """The nearest auditor.toml, or pyproject.toml with [tool.auditor], and its table."""
    here = (start or Path.cwd()).resolve()
    for folder in [here, *here.parents]:
        own = folder / "auditor.toml"
        if own.is_file():
            data = _read(own)
            return own, data.get("tool", {}).get("auditor", data) if "tool" in data else data
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            table = _read(pyproject).get("tool", {}).get("auditor")
            if table is not None:
                return pyproject, table
    return None


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: 配置文件无法读取: {exc}") from None


def _strings(path: Path, key: str, value: Any) -> list[str]:
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: {key} 应为字符串列表")
    return value


def options_from_table(path: Path, table: dict) -> Options:
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(f"{path}: 未知的配置项 {', '.join(unknown)}（可用: select, ignore, min-severity, "
                          "jobs, rules, waivers）")
    opts = Options(source=path)
    base = path.parent
    if "select" in table:
        opts.select = _strings(path, "select", table["select"])
    if "ignore" in table:
        opts.ignore = _strings(path, "ignore", table["ignore"])
    sev = table.get("min-severity", table.get("min_severity"))
    if sev is not None:
        opts.min_severity = check_severity(sev, f"{path}: min-severity")
    if "jobs" in table:
        jobs = table["jobs"]
        if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 0:
            raise ConfigError(f"{path}: jobs 应为非负整数（0 = CPU 核数）")
        opts.jobs = jobs
    fail = table.get("fail-on", table.get("fail_on"))
    if fail is not None:
        opts.fail_on = check_fail_on(fail, f"{path}: fail-on")
    if "rules" in table:
        opts.rules = [base / r for r in _strings(path, "rules", table["rules"])]
    if "waivers" in table:
        if not isinstance(table["waivers"], str):
            raise ConfigError(f"{path}: waivers 应为文件路径")
        opts.waivers = base / table["waivers"]
    return opts


def load_options(config: Path | None = None, start: Path | None = None) -> Options:
    """Options from the given file, or from the nearest configuration; defaults when none."""
    if config is not None:
        if not config.is_file():
            raise ConfigError(f"{config}: 配置文件不存在")
        data = _read(config)
        if config.name == "pyproject.toml" or "tool" in data:
            data = data.get("tool", {}).get("auditor", {})
        return options_from_table(config, data)
    found = find_config(start)
    return options_from_table(*found) if found else Options()


def check_severity(value: Any, where: str = "--min-severity") -> str:
    if value not in SEVERITY_RANK:
        raise ConfigError(f"{where}: 应为 error、warning 或 info 之一，而不是 {value!r}")
    return value


def check_fail_on(value: Any, where: str = "--fail-on") -> str:
    """A comma-separated list of FAIL_ON tokens (a TOML list is accepted too), normalised."""
    tokens = value if isinstance(value, list) else str(value).split(",")
    tokens = [str(t).strip() for t in tokens if str(t).strip()]
    bad = [t for t in tokens if t not in FAIL_ON]
    if bad or not tokens or ("none" in tokens and len(tokens) > 1):
        raise ConfigError(f"{where}: 应为 {'、'.join(FAIL_ON)} 中的一个或几个（逗号分隔；none 单独使用），而不是 {value!r}")
    return ",".join(tokens)


def rule_matches(token: str, rule_id: str, groups: list[str]) -> bool:
    """A rule is named by its id, one of its groups, or a dotted prefix of its id."""
    return token == rule_id or token in groups or rule_id.startswith(token + ".")


def rule_selected(rule_id: str, groups: list[str], select: list[str], ignore: list[str]) -> bool:
    """Whether --select / --ignore keep one rule (by id, group or dotted prefix)."""
    if select and "ALL" not in select and not any(rule_matches(t, rule_id, groups) for t in select):
        return False
    return not any(rule_matches(t, rule_id, groups) for t in ignore)


def select_rules(checks: list, select: list[str], ignore: list[str],
                 others: dict[str, list[str]] | None = None) -> list:
    """The check rules kept by --select / --ignore; a token that names no rule is an error.

    `others`: rules that run outside the catalogue (the cross-document pass), id → groups, so
    a token naming one of them is valid too.
    """
    others = others or {}
    for token in [*select, *ignore]:
        if token != "ALL" and not any(rule_matches(token, r.id, list(r.groups)) for r in checks) \
                and not any(rule_matches(token, rid, groups) for rid, groups in others.items()):
            raise ConfigError(f"--select/--ignore: 没有名为 {token!r} 的规则或规则组（见 auditor rules list）")
    kept = [r for r in checks
            if not select or "ALL" in select or any(rule_matches(t, r.id, list(r.groups)) for t in select)]
    return [r for r in kept if not any(rule_matches(t, r.id, list(r.groups)) for t in ignore)]
