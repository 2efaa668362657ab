import BerthConfig
import Crypto
import Foundation

/// A service's build context as the engine will receive it: the files under the context directory
/// that `.dockerignore` does not exclude (the Dockerfile and `.dockerignore` always), in path order.
/// Its digest covers those files (path, type, permissions, content, link target; not times) and the
/// build settings, so it is the same on every machine and in every file order, and changes exactly
/// when the built image would.
public struct BuildContext: Sendable {
    public struct Entry: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable { case file, directory, symlink }
        /// Relative to the context, `/`-separated.
        public var path: String
        public var kind: Kind
        /// Permission bits (e.g. 0o644).
        public var mode: Int
        public var linkTarget: String?
    }

    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
        public init(message: String) { self.message = message }
    }

    /// The context directory.
    public let root: URL
    public let entries: [Entry]
    /// The Dockerfile's path in the context sent to the engine.
    public let dockerfile: String
    /// `dockerfile_inline`: sent as this file, which the sent `.dockerignore` excludes from the image.
    public let inlineDockerfile: String?

    public static let inlineName = ".berth-inline.Dockerfile"

    /// Lists the context of `build`, whose `context` is relative to `projectDirectory`.
    public static func scan(_ build: ComposeBuild, projectDirectory: URL, service: String) throws -> BuildContext {
        let root = Self.directory(of: build, projectDirectory: projectDirectory)
        let fm = FileManager.default
        let ignoreURL = root.appendingPathComponent(".dockerignore")
        var ignore = DockerIgnore("")
        if fm.fileExists(atPath: ignoreURL.path) {
            do {
                ignore = DockerIgnore(try String(contentsOf: ignoreURL, encoding: .utf8))
            } catch {
                throw Failure(message: "service '\(service)': cannot read \(ignoreURL.path): \(error)")
            }
        }
        if let bad = ignore.invalidPatterns.first {
            throw Failure(message: "service '\(service)': the pattern '\(bad)' in \(ignoreURL.path) is not valid (an unclosed '['); Docker refuses such a context: fix the pattern")
        }
        let dockerfile = build.dockerfileInline == nil ? DockerIgnore.clean(build.dockerfilePath) : inlineName
        ignore = ignore.keeping([dockerfile, ".dockerignore"])
        var entries: [Entry] = []
        func walk(_ relative: String) throws {
            let url = relative.isEmpty ? root : root.appendingPathComponent(relative)
            let names: [String]
            do {
                names = try fm.contentsOfDirectory(atPath: url.path)
            } catch {
                throw Failure(message: "service '\(service)': cannot read the build context directory \(url.path): \(error)")
            }
            for name in names.sorted() {
                let path = relative.isEmpty ? name : relative + "/" + name
                let full = root.appendingPathComponent(path).path
                let attributes: [FileAttributeKey: Any]
                do {
                    attributes = try fm.attributesOfItem(atPath: full)
                } catch {
                    throw Failure(message: "service '\(service)': cannot read \(full) of the build context: \(error)")
                }
                let type = attributes[.type] as? FileAttributeType
                let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o644
                let excluded = ignore.excludes(path)
                switch type {
                case .typeDirectory?:
                    // An excluded directory is still walked when an exception may bring files back.
                    if !excluded { entries.append(Entry(path: path, kind: .directory, mode: mode)) }
                    if !excluded || ignore.hasExceptions { try walk(path) }
                case .typeSymbolicLink?:
                    if !excluded {
                        let target = (try? fm.destinationOfSymbolicLink(atPath: full)) ?? ""
                        entries.append(Entry(path: path, kind: .symlink, mode: 0o777, linkTarget: target))
                    }
                case .typeRegular?:
                    if !excluded { entries.append(Entry(path: path, kind: .file, mode: mode)) }
                default:
                    // Sockets, pipes, devices: docker's tar leaves them out as well.
                    continue
                }
            }
        }
        try walk("")
        return BuildContext(root: root, entries: entries.sorted { $0.path < $1.path }, dockerfile: dockerfile,
                            inlineDockerfile: build.dockerfileInline)
    }

    /// The context directory: `context` as written, relative to the project directory unless absolute.
    public static func directory(of build: ComposeBuild, projectDirectory: URL) -> URL {
        build.context.hasPrefix("/") ? URL(fileURLWithPath: build.context).standardizedFileURL
            : projectDirectory.appendingPathComponent(build.context).standardizedFileURL
    }

    /// The file's bytes (the inline Dockerfile's text for its name).
    public func contents(of entry: Entry) throws -> Data {
        do {
            return try Data(contentsOf: root.appendingPathComponent(entry.path), options: .mappedIfSafe)
        } catch {
            throw Failure(message: "cannot read \(root.appendingPathComponent(entry.path).path) of the build context: \(error)")
        }
    }

    /// sha256 (hex) over the build settings that shape the image and every entry.
    public func digest(_ build: ComposeBuild) throws -> String {
        var settings = build
        settings.contextDigest = nil
        settings.image = nil  // extra tags name the image; they do not change it
        settings.tags = []
        settings.context = "."  // where the directory is does not change what is built from it
        var hasher = SHA256()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        hasher.update(data: (try? encoder.encode(settings)) ?? Data())
        for entry in entries {
            var line = "\n\(entry.kind.rawValue) \(String(entry.mode, radix: 8)) \(entry.path)"
            if let target = entry.linkTarget { line += " -> \(target)" }
            if entry.kind == .file {
                line += " sha256:" + hex(SHA256.hash(data: try contents(of: entry)))
            }
            hasher.update(data: Data(line.utf8))
        }
        return hex(hasher.finalize())
    }
}
