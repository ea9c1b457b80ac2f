// Code only lab 01's forked children run, never the grader's JVM: each child interprets it, asks the JIT for compilations and defines a lambda's class.
package cowfork.labs;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * What the children of {@link Lab01Grader#childrenThatRunCodeTheParentNeverRanAllExit} compute.
 * The grader's own JVM never calls it, so every child meets it cold, as chapter 01's
 * fork-stress children meet theirs: a hot loop (a compilation request), a stream with lambdas
 * (a hidden class defined in the child), formatting and a tree map (classes to load).
 */
final class Lab01ColdCode {
    private Lab01ColdCode() {}

    /** A few dozen bytes that depend on {@code n}, computed the cold way. */
    static byte[] run(int n) {
        long steps = 0;
        for (int i = 1; i < 2000; i++) {
            for (long k = i + n; k != 1; k = (k & 1) == 0 ? k / 2 : 3 * k + 1) {
                steps++;
            }
        }
        Map<Integer, Long> byDigit = IntStream.range(0, 500 + n)
                .boxed()
                .collect(Collectors.groupingBy(i -> i % 10, TreeMap::new, Collectors.counting()));
        String text = String.format("%d steps, %s", steps, byDigit);
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
