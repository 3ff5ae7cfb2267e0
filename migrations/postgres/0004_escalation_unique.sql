-- One escalation per urgent message, told by its own column: the escalation's id is the
-- server's own and no longer says which message it escalates.
CREATE UNIQUE INDEX messages_escalation_of ON messages(escalation_of) WHERE escalation_of IS NOT NULL;
