"""What every room needs and no room owns: configuration, the database, languages, labels, the
audit log writer, the programme's clock, QR images, transliteration and backups."""
