// ./cowfork results rewrites docs/results.md but keeps the paired ratios, which come from their own hour of runs.
package cowfork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResultsTest {
    @Test
    void theRatiosSectionIsKeptFromItsHeadingToTheNextHeading() {
        String page = "# Results\n\n## Chapter 02\n\ntable\n\n" + Results.RATIOS + "\n\n| a | b |\n|---|---|\n\n## Speed\n\ntext\n";
        assertThat(Results.keptRatios(page)).isEqualTo("\n" + Results.RATIOS + "\n\n| a | b |\n|---|---|\n");
    }

    @Test
    void aRatiosSectionAtTheEndIsKeptWhole() {
        assertThat(Results.keptRatios("# Results\n\n" + Results.RATIOS + "\n\nlast words\n\n"))
                .isEqualTo("\n" + Results.RATIOS + "\n\nlast words\n");
    }

    @Test
    void aPageWithoutRatiosKeepsNothing() {
        assertThat(Results.keptRatios("# Results\n\n## Speed\n")).isEmpty();
    }
}
