# The Ruby counterpart of 06-preforking-server/bench/app.py, as a Rack app: a catalogue of items built when the app is
# loaded, so that a pre-forking server that preloads it (unicorn's preload_app, Puma's --preload) builds it in the
# master and its workers share it copy-on-write. Ruby keeps no reference counts and marks in a bitmap beside its heap
# pages (Ruby 2.0+): reading an item writes nothing into the page that holds it.
#
#   ITEMS=20000 unicorn -E none -c unicorn.conf.rb catalogue.ru     (unicorn.conf.rb: worker_processes 2; preload_app true)
#   ITEMS=20000 puma -e none -w 2 --preload -b tcp://127.0.0.1:8002 catalogue.ru
require "json"

TAGS = %w[red green blue black white small medium large sale new eco premium
          kitchen garden office outdoor kids sport travel winter summer gift classic pro].freeze
WORDS = %w[Alpine Brass Cedar Delta Ember Fjord Granite Harbor Indigo Juniper Kestrel Lumen
           Maple Nimbus Onyx Pioneer Quartz Raven Summit Timber Umber Vertex Willow Zephyr].freeze
THINGS = %w[lamp kettle chair backpack jacket mug desk tent bottle scarf].freeze

rnd = Random.new(2024)
ITEMS = {}
Integer(ENV.fetch("ITEMS", "22528")).times do |i|
  key = "item-#{i}"
  ITEMS[key] = {
    "id" => key,
    "name" => "#{WORDS[rnd.rand(WORDS.size)]} #{THINGS[rnd.rand(THINGS.size)]} #{100 + rnd.rand(900)}",
    "price" => 99 + rnd.rand(100_000),
    "stock" => rnd.rand(500),
    "tags" => Array.new(1 + rnd.rand(4)) { TAGS[rnd.rand(TAGS.size)] },
    "dims" => [1 + rnd.rand(100), 1 + rnd.rand(100), 1 + rnd.rand(100)],
  }
end

run(lambda do |env|
  path = env["PATH_INFO"]
  if path.start_with?("/item/")
    item = ITEMS["item-" + path[6..]]
    next [404, { "content-type" => "text/plain" }, ["no such item\n"]] unless item
    body = JSON.generate(item)
    [200, { "content-type" => "application/json", "content-length" => body.bytesize.to_s }, [body]]
  elsif path == "/health"
    [200, { "content-type" => "application/json" }, [JSON.generate({ "status" => "ok", "pid" => Process.pid })]]
  else
    [404, { "content-type" => "text/plain" }, ["no such endpoint\n"]]
  end
end)
