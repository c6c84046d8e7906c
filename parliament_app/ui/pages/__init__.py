"""The pages, one module each: ``parliament_app.ui.shell`` registers them with ``st.Page``."""
