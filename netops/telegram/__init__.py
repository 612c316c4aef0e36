"""The Telegram bot of the help desk and the field crews: the Bot API over HTTPS, long polling.

``client`` speaks the Bot API (``getUpdates``, ``sendMessage``) with the token kept out of every
message; ``links`` ties a Telegram chat to a netops user (a one-time code sent as ``/start
CODE``, or a chat id given by an admin) so the user's role decides what the chat may do, as on
the web; ``replies`` words the answers in Bahasa Indonesia and English from what the rest of
netops already says (the help-desk answer, active outages, planned works); ``bot`` runs the
polling loop in a thread inside ``netops run`` or alone as ``netops telegram run``, backs off on
network errors and stops on a refused token.
"""
