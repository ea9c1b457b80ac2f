package cowfork.cli;

/** The few sentences the tour tells before each chapter, and at the end. */
final class Story {
    private Story() {}

    static String before(String chapter) {
        return switch (chapter) {
            case "01" -> """
                    A pre-forking server loads its data once and fork()s workers that share it.
                    Everything here forks a running JVM, which HotSpot does not support: a child
                    has only the thread that called fork(). First, how to do it safely.""";
            case "02" -> """
                    After fork() parent and child share every physical page until one of them
                    writes; the first write to a page copies it, 4 KiB, for the writer alone. Watch it.""";
            case "03" -> """
                    A refcounted heap like CPython's keeps the count inside each object, so merely
                    reading an object writes to its page. A read-only child copies pages anyway.""";
            case "04" -> """
                    Move the counts into a table of their own, as Ruby moved its mark bits:
                    object pages stay shared; only table pages are copied.""";
            case "05" -> """
                    Make the pre-fork objects immortal, as Cinder does with the mechanism of
                    CPython 3.12 (PEP 683): their counts are never written, so nothing is copied.""";
            case "06" -> """
                    All of it in a pre-forked HTTP server: workers' memory by strategy, read
                    from the kernel.""";
            default -> "";
        };
    }

    static final String END = """

            Read on: README.md, section "Start here", the one path through the course.""";
}
