-- Failed logins are also counted per network (the /24 of an IPv4 address, the /64 of an IPv6
-- one): an attacker moving from one address to the next of the same network is slowed as one.
ALTER TABLE login_failures ADD COLUMN network TEXT NOT NULL DEFAULT '';
CREATE INDEX login_failures_network ON login_failures(network, at);
