package io.panrec.models.bundle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Writes a folder so that readers see either the old complete folder or the new complete one, never a
 * half-written one: the files go into a hidden temporary sibling ({@code .name.tmp-*}), are forced to
 * disk, and the sibling is renamed to the target. Replacing an existing folder takes two renames (the
 * old one aside to {@code .name.old-*}, the new one in), because POSIX cannot swap two folders in one
 * rename; between them the target is briefly absent, and a crash exactly there leaves the old folder
 * complete under its {@code .old-*} name. Both hidden siblings are removed on success and on failure.
 */
public final class AtomicFolder {
    /** Writes the contents of a folder being built. */
    @FunctionalInterface
    public interface Contents {
        /** Writes every file into {@code folder} (an empty temporary folder). */
        void write(Path folder) throws IOException;
    }

    private AtomicFolder() {
    }

    /**
     * Builds {@code target} with {@code contents}, replacing it if it exists.
     *
     * @param replaceable decides whether an existing target may be replaced (e.g. only if it holds a
     *                    {@code model.json}), so that a mistyped path never deletes an unrelated folder
     * @throws BundleException if the target exists but is a file or may not be replaced
     */
    public static void write(Path target, Contents contents, java.util.function.Predicate<Path> replaceable) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent == null) {
            throw new BundleException(abs, "cannot write a folder at the file system root");
        }
        if (Files.exists(abs)) {
            if (!Files.isDirectory(abs)) {
                throw new BundleException(abs, "exists and is a file, not a folder; choose another path");
            }
            if (!isEmpty(abs) && !replaceable.test(abs)) {
                throw new BundleException(abs, "exists and is not a panrec folder that may be replaced; choose a new or empty folder");
            }
        }
        Files.createDirectories(parent);
        String name = abs.getFileName().toString();
        Path tmp = Files.createTempDirectory(parent, "." + name + ".tmp-");
        Path old = null;
        try {
            contents.write(tmp);
            forceFolder(tmp);
            if (Files.exists(abs)) {
                old = parent.resolve("." + name + ".old-" + tmp.getFileName().toString().substring(name.length() + 6));
                move(abs, old);
            }
            move(tmp, abs);
            tmp = null;
            forceFolder(parent);
        } catch (IOException | RuntimeException | Error e) {
            if (old != null && !Files.exists(abs)) {
                try {
                    move(old, abs); // put the previous version back
                    old = null;
                } catch (IOException restore) {
                    e.addSuppressed(restore);
                }
            }
            throw e;
        } finally {
            deleteQuietly(tmp);
            deleteQuietly(old);
        }
    }

    /** Writes {@code bytes} to {@code file} and forces them to disk (inside a folder being built). */
    public static void writeFile(Path file, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
    }

    /** Writes {@code bytes} to a temporary sibling of {@code file}, forces it and renames it over {@code file}. */
    public static void replaceFile(Path file, byte[] bytes) throws IOException {
        Path abs = file.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    /** fsync of a folder, so that the renames in it survive a crash; not every platform allows it. */
    private static void forceFolder(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Windows cannot open folders as channels; the rename is still atomic there, only less durable
        }
    }

    /** Deletes a folder tree without following links; a folder that is absent is fine. */
    static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // leftovers are hidden siblings; they do not affect readers
        }
    }
}
