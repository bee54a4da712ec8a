-- A citizen's district, from the PIN code of their latest application
-- (the sorting district of the PIN: application.DistrictOfPIN), so the
-- dashboard can show a district office its own citizens' messages. Roll-
-- ups gain a scope per district ('district:<name>' in the department
-- column, beside '' for all and each department).
ALTER TABLE contacts ADD COLUMN district text NOT NULL DEFAULT '';
ALTER TABLE message_analyses ADD COLUMN district text NOT NULL DEFAULT '';
