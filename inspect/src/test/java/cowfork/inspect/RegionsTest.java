// The rules that sort mappings into regions, one example each (taken from real gunicorn and JVM maps), and the invariant that nothing is lost.
package cowfork.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.cow.Smaps;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class RegionsTest {
    static Smaps.Mapping m(long start, long end, String perms, String name, long rssKb) {
        Smaps.Fields f = new Smaps.Fields(rssKb, rssKb / 2, 0, 0, 0, 0, 0, rssKb / 2, 0, rssKb / 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        return new Smaps.Mapping(start, end, perms, name, false, Set.of(), f);
    }

    @Test
    void aPythonServersMappings() {
        List<Smaps.Mapping> maps = List.of(
                m(0x41f000, 0x6d2000, "r-xp", "/usr/bin/python3.11", 2500),
                m(0x946000, 0xa85000, "rw-p", "/usr/bin/python3.11", 1276),
                m(0xa85000, 0xaca000, "rw-p", "", 12),                          // its .bss
                m(0x18943000L, 0x18f95000L, "rw-p", "[heap]", 6308),
                m(0x7f1d1922e000L, 0x7f1d1b5d9000L, "rw-p", "", 35932),         // pymalloc arenas, merged
                m(0x7f1d1da8c000L, 0x7f1d1da95000L, "rw-p", "/usr/lib/python3.11/lib-dynload/_ssl.so", 36),
                m(0x7f1d1da95000L, 0x7f1d1e2fb000L, "rw-p", "", 8444),          // 8 MiB after a library: heap, not .bss
                m(0x7f1d1e74c000L, 0x7f1d1e772000L, "r--p", "/usr/lib/x86_64-linux-gnu/libc.so.6", 128),
                m(0x7f1d1ea69000L, 0x7f1d1ea6b000L, "r-xp", "[vdso]", 4),
                m(0x7fffee3df000L, 0x7fffee400000L, "rw-p", "[stack]", 68));
        assertThat(Regions.classify(maps)).containsExactly(Regions.CODE, Regions.FILE_DATA, Regions.FILE_DATA, Regions.HEAP,
                Regions.HEAP, Regions.FILE_DATA, Regions.HEAP, Regions.FILE_DATA, Regions.CODE, Regions.STACK);
    }

    @Test
    void aJvmsMappings() {
        List<Smaps.Mapping> maps = List.of(
                m(0x687400000L, 0x69ee00000L, "rw-p", "", 89572),               // the Java heap, committed
                m(0x69ee00000L, 0x800000000L, "---p", "", 0),                   // and reserved, up to 32 GiB
                m(0x7f6b540fe000L, 0x7f6b56cfe000L, "rw-p", "", 34184),         // an mmap'd object heap
                m(0x7f6b9d400000L, 0x7f6b9d6c0000L, "rwxp", "", 2788),          // the JIT's code cache
                m(0x7f6bb9651000L, 0x7f6bba3a4000L, "r-xp", "/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so", 3840),
                m(0x7f6bba000000L, 0x7f6bba100000L, "rw-s", "/dev/zero (deleted)", 8),
                m(0x7f6bbb000000L, 0x7f6bbb100000L, "rw-p", "[anon:glibc: malloc arena]", 100));
        assertThat(Regions.classify(maps)).containsExactly(Regions.JAVA_HEAP, Regions.JAVA_HEAP, Regions.HEAP, Regions.OTHER_ANON,
                Regions.CODE, Regions.OTHER_ANON, "anon:glibc: malloc arena");
        assertThat(Regions.sum(maps).keySet()).containsExactly(Regions.HEAP, Regions.JAVA_HEAP, "anon:glibc: malloc arena",
                Regions.OTHER_ANON, Regions.CODE);
    }

    @Test
    void withoutLibjvmLowAnonymousMemoryIsHeap() {
        assertThat(Regions.classify(List.of(m(0x687400000L, 0x69ee00000L, "rw-p", "", 1)))).containsExactly(Regions.HEAP);
    }

    @Provide
    Arbitrary<List<Smaps.Mapping>> mappings() {
        Arbitrary<String> names = Arbitraries.of("", "", "[heap]", "[stack]", "[anon:x]", "[vdso]", "/lib/a.so", "/dev/zero",
                "/usr/lib/jvm/lib/server/libjvm.so");
        Arbitrary<String> perms = Arbitraries.of("rw-p", "r--p", "r-xp", "---p", "rwxp", "rw-s");
        Arbitrary<long[]> sizes = Combinators.combine(Arbitraries.longs().between(1, 600), Arbitraries.longs().between(0, 5000))
                .as((pages, rss) -> new long[] {pages, rss});
        return Combinators.combine(names, perms, sizes).as((n, p, s) -> new Object[] {n, p, s}).list().ofMaxSize(40).map(raw -> {
            List<Smaps.Mapping> out = new ArrayList<>();
            long at = 0x7f0000000000L;
            for (Object[] r : raw) {
                long[] s = (long[]) r[2];
                out.add(m(at, at + s[0] * 4096, (String) r[1], (String) r[0], s[1]));
                at += s[0] * 4096;
            }
            return out;
        });
    }

    /** Every mapping lands in exactly one region: the regions' sums add up to the sum over all mappings. */
    @Property
    void regionsPartitionTheMappings(@ForAll("mappings") List<Smaps.Mapping> maps) {
        Smaps.Fields all = Smaps.Fields.ZERO;
        for (Smaps.Mapping x : maps) {
            all = all.plus(x.fields());
        }
        Smaps.Fields regions = Smaps.Fields.ZERO;
        for (Map.Entry<String, Smaps.Fields> e : Regions.sum(maps).entrySet()) {
            regions = regions.plus(e.getValue());
        }
        assertThat(regions).isEqualTo(all);
        assertThat(Regions.classify(maps)).hasSameSizeAs(maps);
    }
}
