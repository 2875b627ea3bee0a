"""Outbound mail: an outbox table written in the domain's transaction, and a deliverer
that sends it after commit over SMTP (``SMTP_URL``) or into ``data/outbox/`` as .eml."""
