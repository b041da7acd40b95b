"""The staff side of handoffs, inside the Rasa server: the console page and API
(``console.py``), what its actions do to trackers and channels (``service.py``), the token
check (``auth.py``) and staff replies for the web chat page (``delivery.py``)."""
