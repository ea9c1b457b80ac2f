# The Ruby side of the cross-check: build chapter 03's catalogue in real Ruby, fork, run one workload in the child, wait to be measured.
#
# Started by cowfork.crosscheck.CrossCheck (Java), which does all the measuring: this
# script only builds, forks, runs the workload and waits. Protocol, one line each on stdout:
#   parent: "built items=N served=M"             after building and preparing the heap for fork
#   child:  "ready pid=P served=M bytes=B"       after the workload; then it blocks on stdin
#   parent: "exit status=S"                      after the child has exited
# The child exits (exit!, no at_exit handlers or finalizers) when a line (or EOF) arrives on stdin.
# "--probe" prints one line about this Ruby and exits.
require 'json'
require 'rbconfig'

TAGS = %w[red green blue black white small medium large sale new eco premium
          kitchen garden office outdoor kids sport travel winter summer gift classic pro].freeze
WORDS = %w[Alpine Brass Cedar Delta Ember Fjord Granite Harbor Indigo Juniper Kestrel
           Lumen Maple Nimbus Onyx Pioneer Quartz Raven Summit Timber Umber Vertex
           Willow Zephyr lamp kettle chair backpack jacket mug desk tent bottle scarf].freeze

# GC.compact exists from 2.7 but raises NotImplementedError where the platform lacks it.
def compact_available?
  return false unless GC.respond_to?(:compact)
  GC.compact
  true
rescue NotImplementedError
  false
end

# The same shape as chapter 03's DatasetBuilder (values differ: another generator).
def build(count, seed)
  rnd = Random.new(seed)
  tags = TAGS.map { |t| t.dup.freeze }
  items = {}
  ids = []
  count.times do |i|
    key = "item-#{i}".freeze # frozen, so the Hash keeps this very object as its key: one String, as in the model
    items[key] = {
      'id' => key,
      'name' => "#{WORDS[rnd.rand(24)]} #{WORDS[24 + rnd.rand(WORDS.size - 24)]} #{100 + rnd.rand(900)}",
      'price' => 99 + rnd.rand(100_000),
      'stock' => rnd.rand(500),
      'tags' => Array.new(1 + rnd.rand(4)) { tags[rnd.rand(tags.size)] },
      'dims' => [1 + rnd.rand(100), 1 + rnd.rand(100), 1 + rnd.rand(100)].freeze
    }
    ids << key
  end
  { 'items' => items, 'ids' => ids, 'tags' => tags, 'meta' => { 'count' => count, 'seed' => seed } }
end

# GET /items/{id} for each chosen index: look the item up by a fresh key, serialise it, drop it.
def serve(root, chosen)
  items = root['items']
  chosen.sum { |i| JSON.generate(items["item-#{i}"]).bytesize }
end

# Each chosen item's pairs walked, allocating nothing: what JSON.generate does to a Hash, without the output.
# (Hash iteration counts its depth in the Hash's own header flags, so even this writes to every item.)
def iterate(root, chosen)
  items = root['items']
  visit = proc { |_key, _value| nil }
  chosen.each { |i| items["item-#{i}"].each_pair(&visit) }
  0
end

def main(argv)
  if argv == ['--probe']
    warmup = Process.respond_to?(:warmup)
    puts "probe version=#{RUBY_VERSION} executable=#{File.realpath(RbConfig.ruby)} " \
         "compact=#{GC.respond_to?(:compact) ? 'yes' : 'no'} warmup=#{warmup ? 'yes' : 'no'}"
    return 0
  end
  if argv.size != 5
    warn 'usage: ruby_crosscheck.rb ITEMS SEED SERVED_FILE idle|serve|iterate|full-gc none|compact|freeze'
    return 2
  end
  count = Integer(argv[0])
  seed = Integer(argv[1])
  workload = argv[3]
  prep = argv[4]
  unless %w[idle serve iterate full-gc].include?(workload) && %w[none compact freeze].include?(prep)
    warn "unknown workload #{workload.inspect} or preparation #{prep.inspect}"
    return 2
  end
  chosen = File.readlines(argv[2]).map(&:strip).reject(&:empty?).map { |l| Integer(l) }
  if chosen.any? { |i| i.negative? || i >= count }
    warn "a served index is outside 0..#{count - 1}"
    return 2
  end
  root = build(count, seed)
  if prep == 'freeze'
    # A frozen Hash can never change, so walking it needs no iteration count in its header
    root['items'].each_value(&:freeze)
  end
  # The master's state before fork, as a careful pre-forking server leaves it: three full
  # collections age every survivor into the old generation ("nakayoshi fork"), so minor
  # collections in the child skip them.
  3.times { GC.start(full_mark: true, immediate_sweep: true) }
  if prep == 'compact'
    if Process.respond_to?(:warmup)
      Process.warmup # 3.3+: full GC, compaction, promote survivors, free empty pages, malloc_trim
    elsif !compact_available?
      warn 'GC.compact is not available in this Ruby'
      return 2
    end
  end
  puts "built items=#{count} served=#{chosen.size}"
  $stdout.flush # else the child inherits the buffered line and prints it again
  pid = fork do
    status = 0
    begin
      served = 0
      size = 0
      case workload
      when 'serve'
        size = serve(root, chosen)
        served = chosen.size
      when 'iterate'
        size = iterate(root, chosen)
        served = chosen.size
      when 'full-gc'
        GC.start(full_mark: true, immediate_sweep: true)
      end
      $stdout.write("ready pid=#{Process.pid} served=#{served} bytes=#{size}\n")
      $stdout.flush
      $stdin.gets # measured now; any line or EOF releases us
    rescue Exception => e # rubocop:disable Lint/RescueException -- the child must always exit!
      warn "child failed: #{e.inspect}"
      status = 1
    ensure
      exit!(status) # no at_exit handlers, no finalizers: they would write (and copy) more pages
    end
  end
  Process.wait(pid)
  st = $?
  code = st.exited? ? st.exitstatus : 128 + st.termsig.to_i
  puts "exit status=#{code}"
  $stdout.flush
  code
end

exit(main(ARGV))
