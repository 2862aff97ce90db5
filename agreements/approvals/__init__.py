"""Sign-off routing: the approvals a memorandum needs before it is signed.

A route (`ApprovalRoute`) names, for one kind of memorandum, ordered steps, each decided by the
members of a group. An editor submits a memorandum in negotiation; it waits at the first step;
a member of that step's group approves (the next step decides) or returns it with a comment
(back to negotiation). Each decision records the fingerprint of the terms it was made on
(terms.py); a change of the terms while in approval sends the memorandum back to the first
step, and the approvals of the earlier terms show as stale. A memorandum of a kind with a
route becomes signed only when every step approved its current terms, unless an admin
overrides with a reason. The rules are in services.py; the core's memorandum services ask them
through `agreements.services.terms_refreshed`.
"""
