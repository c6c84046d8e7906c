"""Entry point: ``streamlit run streamlit_app.py``.

Streamlit finds the ``st.App`` below and serves it (adding our sign-in routes); every browser
session then runs this same file as its script, where ``__name__`` is ``"__main__"`` and the app
shell builds the role's pages with ``st.navigation``.
"""

import streamlit as st

if __name__ == "__main__":
    from parliament_app.ui.shell import run

    run()
else:
    from parliament_app.people.routes import routes

    app = st.App(__file__, routes=routes())
