"""`python3 -m auditor …`: the same CLI as the `auditor` command (useful in a git worktree)."""

from auditor.cli import main

main()
