-- How an account is reached (issue #19): the e-mail address notifications go to and a phone
-- number, both optional. They are personal data: shown only to the account itself, the bureau
-- and, once a 揭榜 is accepted, the other side of that 揭榜; never logged.

ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN phone TEXT;
