package dev.synport.schema;

import java.util.List;
import java.util.Optional;

/** An index as its SQLite {@code CREATE INDEX} declares it: key parts and an optional predicate, verbatim. */
record IndexDef(String name, String table, boolean unique, List<String> keys, Optional<String> where) {
    IndexDef {
        keys = List.copyOf(keys);
    }
}
