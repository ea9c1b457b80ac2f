// Reading a JSON document into records, strictly: a field that is missing, null or of another type is an error naming it.
package cowfork.support;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;

/**
 * The one way tools and tests read the JSON the course's programs write (/stats,
 * /dashboard/data, {@code inspect --json}): with a parser (Jackson), into a record whose
 * components name the fields in Java style ({@code totalPssKb} reads {@code "total_pss_kb"}).
 * A reader so depends on neither the order of the fields nor their spacing, and a document
 * may carry fields the record does not name.
 *
 * <p>What the record does name must be there, with its type: a missing field, a {@code null}
 * (unless the component is annotated {@code @JsonSetter(nulls = Nulls.SET)}), a string where a
 * number belongs, a fraction for an integer, all are an {@link IllegalArgumentException} whose
 * message names the field by its path, e.g.
 * <pre>
 *   the /stats document: processes[1].memory_kb.object_heap.private: missing
 * </pre>
 * Never a silent zero. Servers write their JSON by hand, allocation-free; Jackson is for the
 * reading side only, and a forked worker never loads it.
 *
 * <p>A module whose code calls this class declares {@code jackson-databind} itself (this
 * module's dependency on it is optional).
 */
public final class StrictJson {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES) // fields may be added to a document
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES) // a record's every component is required
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS) // "12" is not 12
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .defaultSetterInfo(JsonSetter.Value.forValueNulls(Nulls.FAIL))
            // a string is not a number, nor a boolean (2 is a fine double: JSON has one kind of number)
            .withCoercionConfigDefaults(c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            // and a number, or a boolean, is not a string
            .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Boolean, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
            .build();

    private StrictJson() {
    }

    /**
     * {@code json} read into a {@code type} (a record, a {@code List} or {@code Map} of them).
     * {@code what} names the document in an error ("the /stats document").
     *
     * @throws IllegalArgumentException if {@code json} is not one JSON value, or a field of
     *         {@code type} is missing, null or of another type; the message names the field's path
     */
    public static <T> T read(String json, Class<T> type, String what) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw failure(e, what);
        }
    }

    /**
     * {@code json} as a tree, fields in the order the document has them: for a test about the
     * document's shape (which fields, in which order), not for reading values.
     *
     * @throws IllegalArgumentException if {@code json} is not one JSON value, or an object repeats a key
     */
    public static JsonNode tree(String json, String what) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw failure(e, what);
        }
    }

    /** The parser's complaint, with the path of the field it is about in JSON's own spelling. */
    private static IllegalArgumentException failure(JsonProcessingException e, String what) {
        StringBuilder path = new StringBuilder();
        if (e instanceof JsonMappingException m) {
            for (JsonMappingException.Reference r : m.getPath()) {
                if (r.getFieldName() != null) {
                    path.append(path.length() == 0 ? "" : ".").append(r.getFieldName());
                } else {
                    path.append('[').append(r.getIndex()).append(']');
                }
            }
        }
        String message = e.getOriginalMessage();
        if (message.startsWith("Missing creator property")) {
            message = "missing"; // the path already names it; Jackson's words name a feature flag
        }
        return new IllegalArgumentException(what + ": " + (path.length() == 0 ? "" : path + ": ") + message
                + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")"), e);
    }
}
