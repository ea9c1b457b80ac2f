// PageMapPicture: one character per page for small regions, tenths-private digits for groups, a well-formed SVG.
package cowfork.cow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class PageMapPictureTest {

    /** Page states without forking: in a lone process, touched pages are private, untouched ones absent. */
    private static PageMap touched(Region r, int... pages) {
        for (int p : pages) {
            r.putByte((long) p * Region.PAGE_SIZE, (byte) 1);
        }
        return PageMap.ofSelf(r);
    }

    @Test
    void smallRegionsGetOneCharacterPerPage() {
        try (Region r = Region.allocate(8 * Region.PAGE_SIZE)) {
            PageMap map = touched(r, 0, 3, 7);
            PageMapPicture picture = PageMapPicture.forPages(8, 4, 4);
            assertThat(picture.pagesPerCell()).isEqualTo(1);
            assertThat(picture.strip(map, "> ")).isEqualTo("> #..#\n> ...#");
            assertThat(picture.legend()).contains("one character per 4 KiB page");
        }
    }

    @Test
    void bigRegionsGroupPagesAndShowTenthsPrivate() {
        try (Region r = Region.allocate(40 * Region.PAGE_SIZE)) {
            // cells of 10 pages: none, 1 of 10, 5 of 10, all 10
            PageMap map = touched(r, 10, 20, 21, 22, 23, 24, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39);
            PageMapPicture picture = PageMapPicture.forPages(40, 4, 1);
            assertThat(picture.pagesPerCell()).isEqualTo(10);
            assertThat(picture.strip(map, "")).isEqualTo(".15#");
            assertThat(picture.legend()).contains("10 pages", "tenths");
        }
    }

    @Test
    void theSvgIsWellFormedAndHasOneStripPerPanel() throws Exception {
        try (Region r = Region.allocate(8 * Region.PAGE_SIZE)) {
            PageMap map = touched(r, 1, 2);
            PageMapPicture picture = PageMapPicture.forPages(8, 8, 1);
            String svg = picture.svg("title <&>", List.of(new PageMapPicture.Panel("a", "x", map),
                    new PageMapPicture.Panel("b", "y", map)), "./cowfork demo 02 --svg DIR");
            Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
            assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
            // Per panel: runs '.', '##', '.....' = 3 rectangles; plus background and 3 legend squares.
            assertThat(doc.getElementsByTagName("rect").getLength()).isEqualTo(1 + 2 * 3 + 3);
            assertThat(svg).contains("title &lt;&amp;&gt;", "./cowfork demo 02 --svg DIR");
        }
    }

    @Test
    void aSnapshotOfTheWrongSizeIsRefused() {
        try (Region r = Region.allocate(2 * Region.PAGE_SIZE)) {
            PageMap map = PageMap.ofSelf(r);
            assertThatThrownBy(() -> PageMapPicture.forPages(3).strip(map, "")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("3 pages");
            assertThatThrownBy(() -> PageMapPicture.forPages(0)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
