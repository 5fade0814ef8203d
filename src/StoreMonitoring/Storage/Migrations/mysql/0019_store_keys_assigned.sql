-- The database assigns new store keys (AUTO_INCREMENT), no longer the importer as MAX+1: two
-- writers registering new stores at once (an import and POST /polls, two instances, two Galera
-- nodes) can no longer take the same key. A single server hands out 1, 2, 3 ... in the order stores
-- are first seen, as before; a Galera cluster interleaves the nodes' keys (wsrep_auto_increment_control).
-- Runs again safely: MODIFY to the same definition changes nothing.
ALTER TABLE stores MODIFY store_key INT NOT NULL AUTO_INCREMENT;
