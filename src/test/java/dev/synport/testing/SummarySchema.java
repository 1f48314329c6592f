package dev.synport.testing;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** docs/summary.schema.json, the documented shape of {@code --summary-json}. */
public final class SummarySchema {
    private SummarySchema() {}

    /** The schema's complaints about {@code json}, as messages; empty when it conforms. */
    public static List<String> errors(String json) {
        try {
            Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                    .getSchema(Files.readString(Path.of("docs", "summary.schema.json")), InputFormat.JSON);
            return schema.validate(json, InputFormat.JSON).stream().map(Error::toString).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
