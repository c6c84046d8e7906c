"""Children's Parliament platform: core package (config, data model, accounts, languages, UI)."""
