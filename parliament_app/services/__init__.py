"""Services: plain Python, no Streamlit. Each takes a SQLAlchemy Session and the acting user,
enforces the permission policy, and writes the audit log."""
