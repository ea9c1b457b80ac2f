// Code only forked children run (for fork-stress): the cold paths that once made children ask for the JIT.
package cowfork.fork;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Code that only forked children run: fork-stress calls one of these per child, and the
 * parent never does. A child that runs cold code interprets it, bumps invocation counters
 * and asks for compilations: exactly what hung children before the JIT was quieted.
 * (Some paths also use JDK classes the parent may never have loaded.)
 */
final class ColdPaths {
    private ColdPaths() {}

    static final int COUNT = 6;

    /** Runs cold path {@code i % COUNT} over {@code data} and returns a checksum. */
    static long run(int i, byte[] data) {
        return switch (Math.floorMod(i, COUNT)) {
            case 0 -> sortedSum(data);
            case 1 -> histogram(data);
            case 2 -> treeOfStrings(data);
            case 3 -> formatted(data);
            case 4 -> collatz(data);
            default -> stringBuilding(data);
        };
    }

    private static long sortedSum(byte[] data) {
        List<Integer> values = new ArrayList<>();
        for (int i = 0; i < data.length; i += 257) {
            values.add((int) data[i]);
        }
        Collections.sort(values);
        long s = 0;
        for (int k = 0; k < values.size(); k++) {
            s = s * 31 + values.get(k);
        }
        return s;
    }

    private static long histogram(byte[] data) {
        Map<Byte, Integer> counts = new HashMap<>();
        for (int i = 0; i < data.length; i += 64) {
            counts.merge(data[i], 1, Integer::sum);
        }
        return counts.values().stream().mapToLong(Integer::longValue).sum() * 7 + counts.size();
    }

    private static long treeOfStrings(byte[] data) {
        TreeMap<String, Integer> tree = new TreeMap<>();
        for (int i = 0; i < data.length; i += 1021) {
            tree.put(Integer.toHexString(data[i] * i), i);
        }
        return tree.firstKey().hashCode() + (long) tree.lastKey().hashCode() + tree.size();
    }

    private static long formatted(byte[] data) {
        long s = 0;
        for (int i = 0; i < 200; i++) {
            s += String.format("%08x:%5d", data[i * 31 % data.length], i).hashCode();
        }
        return s;
    }

    private static long collatz(byte[] data) {
        long steps = 0;
        for (int i = 1; i < 3000; i++) {
            long n = i + (data[i % data.length] & 0xff);
            while (n != 1) {
                n = (n & 1) == 0 ? n / 2 : 3 * n + 1;
                steps++;
            }
        }
        return steps;
    }

    private static long stringBuilding(byte[] data) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            sb.append(data[i % data.length]).append(',');
        }
        return sb.toString().split(",").length;
    }
}
