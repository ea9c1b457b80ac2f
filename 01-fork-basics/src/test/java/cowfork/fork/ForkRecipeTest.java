// ForkRecipe: reading the JIT's queue report, entering and leaving the quiet state, and failing without breaking the JIT.
package cowfork.fork;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** Reading the JIT's queue report, as HotSpot 17 and 25 print it, and the quiet state's promises. */
class ForkRecipeTest {

    @Test
    void anIdleJitIsDrained() {
        String idle = "Current compiles: \n\nC1 compile queue:\nEmpty\n\nC2 compile queue:\nEmpty\n\n";
        assertThat(ForkRecipe.isDrained(idle)).isTrue();
    }

    @Test
    void aRunningCompileIsNotDrained() {
        String busy = "Current compiles: \nC2 CompilerThread0  1187   !   4       java.lang.String::hashCode (60 bytes)\n\n"
                + "C1 compile queue:\nEmpty\n\nC2 compile queue:\nEmpty\n";
        assertThat(ForkRecipe.isDrained(busy)).isFalse();
    }

    @Test
    void aQueuedMethodIsNotDrained() {
        String queued = "Current compiles: \n\nC1 compile queue:\n1526       3       java.lang.Integer::stringSize (47 bytes)\n\n"
                + "C2 compile queue:\nEmpty\n";
        assertThat(ForkRecipe.isDrained(queued)).isFalse();
    }

    @Test
    @SuppressWarnings("try") // the quiet state is the resource: held for the block, never referenced in it
    void quietStateCanBeEnteredAndLeftRepeatedly() {
        ForkRecipe recipe = Forker.safe().recipe();
        for (int i = 0; i < 3; i++) {
            try (ForkRecipe.Quiet quiet = recipe.quiet()) {
                assertThat(excludeDirectives()).as("inside the quiet state the JIT is excluded").isPositive();
                assertThat(recipe.edenFree()).isPositive();
            }
            assertThat(excludeDirectives()).as("after close()").isZero();
        }
    }

    /**
     * The quiet-threads step fails (a thread that never stops running Java code, a 50 ms
     * limit) after the exclude-all directive was added. No fork follows, so nobody would
     * ever remove it: the JVM would run on interpreted forever. Checked two ways: the
     * directive stack HotSpot prints, and a method never run before getting compiled.
     */
    @Test
    void aFailedPreparationLeavesTheJitFreeToCompile() throws Exception {
        ForkRecipe recipe = new ForkRecipe(EnumSet.allOf(ForkRecipe.Precaution.class), 0, 50_000_000L);
        assertThat(excludeDirectives()).as("before").isZero();
        AtomicBoolean stop = new AtomicBoolean();
        Thread spinner = new Thread(() -> {
            long n = 0;
            while (!stop.get()) {
                n++; // runs Java code until told to stop: never quiet
            }
        }, "never-quiet");
        spinner.start();
        try {
            assertThatThrownBy(recipe::quiet).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'never-quiet'").hasMessageContaining("50 ms");
        } finally {
            stop.set(true);
            spinner.join(10_000);
        }
        assertThat(spinner.isAlive()).isFalse();
        assertThat(excludeDirectives()).as("exclude directives left after the failed quiet()").isZero();

        long deadline = System.nanoTime() + 20_000_000_000L;
        long sum = 0;
        boolean compiled = false;
        while (!compiled && System.nanoTime() - deadline < 0) {
            for (int i = 0; i < 100_000; i++) {
                sum += onlyRunHere(i);
            }
            compiled = dcmd("compilerCodelist").contains("cowfork.fork.ForkRecipeTest.onlyRunHere(");
        }
        assertThat(compiled).as("onlyRunHere() got compiled within 20 s (sum %d)", sum).isTrue();
    }

    /** A method nothing else calls, so its appearing in the code cache proves the JIT compiles again. */
    private static long onlyRunHere(int i) {
        return (i * 31L) ^ (i >>> 3);
    }

    /** How many directives on HotSpot's stack exclude methods (each prints c1 and c2 lines). */
    static int excludeDirectives() {
        String print = dcmd("compilerDirectivesPrint");
        int lines = (int) print.lines().filter(l -> l.contains("Exclude:true")).count();
        return lines / 2;
    }

    private static String dcmd(String operation) {
        try {
            Object out = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), operation,
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            return String.valueOf(out);
        } catch (Exception e) {
            throw new IllegalStateException("diagnostic command " + operation + " failed: " + e, e);
        }
    }
}
