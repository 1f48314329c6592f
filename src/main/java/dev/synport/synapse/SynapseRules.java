package dev.synport.synapse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Synapse-specific knowledge that cannot be read from either schema, loaded from the
 * declarative resources {@code tables.yaml} and {@code sequences.yaml} beside this class.
 */
public final class SynapseRules {
    private final Map<String, String> skipped;
    private final Set<String> appendOnly;
    private final List<SequenceRule> sequences;
    private final List<RebuildUpdate> rebuildUpdates;
    private final Map<String, String> userIdColumns;

    private SynapseRules(Map<String, String> skipped, Set<String> appendOnly, List<SequenceRule> sequences,
            List<RebuildUpdate> rebuildUpdates, Map<String, String> userIdColumns) {
        this.skipped = Map.copyOf(skipped);
        this.appendOnly = Set.copyOf(appendOnly);
        this.sequences = List.copyOf(sequences);
        this.rebuildUpdates = List.copyOf(rebuildUpdates);
        this.userIdColumns = Map.copyOf(userIdColumns);
    }

    /** A background update to queue on the target after the port. */
    public record RebuildUpdate(String name, Optional<String> dependsOn) {}

    public static SynapseRules load() {
        Map<?, ?> tables = read("tables.yaml");
        Map<String, String> skipped = new LinkedHashMap<>();
        ((Map<?, ?>) tables.get("skip")).forEach((k, v) -> skipped.put(k.toString(), v.toString()));
        List<String> appendOnly = new ArrayList<>();
        ((List<?>) tables.get("append_only")).forEach(t -> appendOnly.add(t.toString()));
        List<RebuildUpdate> updates = new ArrayList<>();
        for (Object o : (List<?>) tables.get("rebuild_updates")) {
            Map<?, ?> m = (Map<?, ?>) o;
            updates.add(new RebuildUpdate(m.get("name").toString(),
                    Optional.ofNullable(m.get("depends_on")).map(Object::toString)));
        }
        Map<String, String> userIdColumns = new LinkedHashMap<>();
        for (Object o : (List<?>) tables.get("user_id_columns")) {
            Map<?, ?> m = (Map<?, ?>) o;
            userIdColumns.put(m.get("table") + "." + m.get("column"), m.get("localpart").toString());
        }
        List<SequenceRule> sequences = new ArrayList<>();
        for (Object o : (List<?>) read("sequences.yaml").get("sequences")) {
            sequences.add(sequence((Map<?, ?>) o));
        }
        return new SynapseRules(skipped, Set.copyOf(appendOnly), sequences, updates, userIdColumns);
    }

    /** Why a table is not copied, if it is one of those. */
    public Optional<String> skipReason(String table) {
        return Optional.ofNullable(skipped.get(table));
    }

    public boolean isAppendOnly(String table) {
        return appendOnly.contains(table);
    }

    /** The column holding the localpart from which Synapse derives {@code table.column}, if it does. */
    public Optional<String> userIdLocalpart(String table, String column) {
        return Optional.ofNullable(userIdColumns.get(table + "." + column));
    }

    public List<SequenceRule> sequences() {
        return sequences;
    }

    public List<RebuildUpdate> rebuildUpdates() {
        return rebuildUpdates;
    }

    private static SequenceRule sequence(Map<?, ?> m) {
        List<SequenceRule.Feed> feeds = new ArrayList<>();
        if (m.get("feeds") instanceof List<?> list) {
            for (Object f : list) {
                feeds.add(feed((Map<?, ?>) f));
            }
        }
        Optional<SequenceRule.Special> special = Optional.ofNullable(m.get("special"))
                .map(s -> SequenceRule.Special.valueOf(s.toString().toUpperCase(Locale.ROOT)));
        Optional<SequenceRule.Feed> identity = Optional.ofNullable(m.get("identity")).map(i -> feed((Map<?, ?>) i));
        return new SequenceRule(m.get("name").toString(), Optional.ofNullable(m.get("stream")).map(Object::toString),
                Boolean.TRUE.equals(m.get("negative")), feeds, special, identity);
    }

    private static SequenceRule.Feed feed(Map<?, ?> m) {
        return new SequenceRule.Feed(m.get("table").toString(), m.get("column").toString());
    }

    private static Map<?, ?> read(String resource) {
        try (InputStream in = SynapseRules.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return (Map<?, ?>) new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
