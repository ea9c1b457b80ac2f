// The command-line helper every chapter's parser shares: a missing value and a bad number are named, never guessed.
package cowfork.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CommandLineTest {
    @Test
    void theValueAfterAFlagOrAMessageNamingTheFlag() {
        String[] args = {"--size", "64m", "--every"};
        assertThat(CommandLine.value(args, 1, "--size")).isEqualTo("64m");
        assertThatThrownBy(() -> CommandLine.value(args, 3, "--every")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--every needs a value");
        assertThatThrownBy(() -> CommandLine.value(args, 3, "--every", "usage: demo")).hasMessage("--every needs a value\nusage: demo");
    }

    @Test
    void wholeNumbersWithinTheCallersLimits() {
        assertThat(CommandLine.wholeNumber("--items", "10_000", 10, 10_000_000)).isEqualTo(10_000);
        assertThat(CommandLine.wholeNumber("--seed", "-3", Long.MIN_VALUE, Long.MAX_VALUE)).isEqualTo(-3);
        assertThatThrownBy(() -> CommandLine.wholeNumber("--seed", "1.5", 0, 9)).hasMessage("--seed takes a whole number, got '1.5'");
        assertThatThrownBy(() -> CommandLine.wholeNumber("--workers", "0", 1, 16)).hasMessage("--workers must be between 1 and 16, got 0");
        assertThatThrownBy(() -> CommandLine.wholeNumber("--items", "_", 0, 9)).hasMessageContaining("takes a whole number");
    }
}
