package cowfork.fork;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Reading the JIT's queue report, as HotSpot 17 and 25 print it. */
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
    void quietStateCanBeEnteredAndLeftRepeatedly() {
        ForkRecipe recipe = Forker.safe().recipe();
        for (int i = 0; i < 3; i++) {
            try (ForkRecipe.Quiet quiet = recipe.quiet()) {
                assertThat(recipe.edenFree()).isPositive();
            }
        }
    }
}
