"""Children's Parliament platform: the rooms below ``sessions`` and ``activities`` (core, models,
policy, people, places, groups, children) and those above them (monitoring, demo, ui, cli,
devtools). The layout and the dependency order are in ``docs/architecture.md``."""
