"""Where the programme runs: countries, municipalities, organisations and venues."""
