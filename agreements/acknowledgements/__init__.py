"""Partners acknowledging the terms they agreed to.

A partner client acknowledges the fingerprint of a signed memorandum's terms
(agreements/fingerprint.py); a later change of the terms changes the fingerprint, and the
acknowledgement shows as stale to everyone who reads the memorandum.
"""
