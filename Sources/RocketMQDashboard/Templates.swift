/// The pages' Mustache templates. Styles are inline and there is no script: the pages work offline and
/// behind any proxy.
enum Templates {
    static let all: [String: String] = [
        "header": header, "footer": footer, "cluster": cluster, "topics": topics, "topic": topic, "groups": groups,
        "group": group, "messages": messages, "send": send,
    ]

    static let header = """
    <!DOCTYPE html>
    <html lang="en"><head><meta charset="utf-8"><title>{{title}} · RocketMQ dashboard</title>
    <style>
    body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#222}
    nav{background:#263238;padding:8px 16px}nav a{color:#eceff1;margin-right:16px;text-decoration:none}
    nav b{color:#ffb74d;margin-right:24px}main{padding:12px 16px}
    table{border-collapse:collapse;margin:8px 0 16px}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left}
    th{background:#f0f0f0}td.n{text-align:right;font-variant-numeric:tabular-nums}
    .error{background:#ffebee;border:1px solid #e57373;padding:8px}.note{color:#666}
    .legend-in{color:#2e7d32}.legend-out{color:#1565c0}pre{background:#f6f8fa;padding:6px;white-space:pre-wrap}
    </style></head><body>
    <nav><b>RocketMQ</b><a href="/">Cluster</a><a href="/topics">Topics</a><a href="/groups">Consumer groups</a><a href="/messages">Messages</a><a href="/send">Send</a></nav>
    <main><h1>{{title}}</h1>
    {{#error}}<p class="error" id="error">{{.}}</p>{{/error}}
    """

    static let footer = """
    </main></body></html>
    """

    static let cluster = """
    {{> header}}
    <h2>Messages per second</h2>
    <p><span class="legend-in">■ in</span> <span class="legend-out">■ out</span> <span class="note">(masters' putTps and getTransferedTps, sampled every {{interval}} s)</span></p>
    {{{chart}}}
    {{#view}}
    <h2>Name servers</h2>
    <ul id="nameservers">{{#nameServers}}<li>{{.}}</li>{{/nameServers}}</ul>
    <h2>Brokers</h2>
    <table id="brokers"><tr><th>cluster</th><th>brokerName</th><th>brokerId</th><th>role</th><th>address</th><th>version</th>
    <th>put TPS</th><th>get TPS</th><th>put today</th><th>get today</th><th>commit-log disk</th><th>behind master (bytes)</th></tr>
    {{#brokers}}<tr><td>{{cluster}}</td><td>{{brokerName}}</td><td class="n">{{brokerId}}</td><td>{{role}}</td><td>{{address}}</td><td>{{version}}</td>
    <td class="n">{{putTps}}</td><td class="n">{{getTps}}</td><td class="n">{{msgPutTotalTodayNow}}</td><td class="n">{{msgGetTotalTodayNow}}</td><td class="n">{{diskRatio}}</td><td class="n behind">{{behindMaster}}</td></tr>
    {{#error}}<tr><td colspan="12" class="error">{{.}}</td></tr>{{/error}}{{/brokers}}
    </table>
    {{/view}}
    {{> footer}}
    """

    static let topics = """
    {{> header}}
    <table id="topics"><tr><th>topic</th><th>brokers</th><th>read queues</th><th>write queues</th><th>messages (Σ max offset)</th></tr>
    {{#rows}}<tr><td><a href="/topic?name={{topic}}">{{topic}}</a></td><td>{{brokers}}</td><td class="n">{{readQueueNums}}</td>
    <td class="n">{{writeQueueNums}}</td><td class="n">{{messages}}</td></tr>{{/rows}}
    </table>
    {{> footer}}
    """

    static let topic = """
    {{> header}}
    {{#view}}
    <p>Put TPS (last minute): <b id="putTps">{{putTps}}</b></p>
    <h2>Route</h2>
    <table id="route"><tr><th>brokerName</th><th>addresses</th><th>read queues</th><th>write queues</th><th>perm</th></tr>
    {{#routes}}<tr><td>{{brokerName}}</td><td>{{addresses}}</td><td class="n">{{readQueueNums}}</td><td class="n">{{writeQueueNums}}</td><td>{{perm}}</td></tr>{{/routes}}
    </table>
    <h2>Message queues</h2>
    <table id="queues"><tr><th>brokerName</th><th>queueId</th><th>min offset</th><th>max offset</th><th>last update</th></tr>
    {{#queues}}<tr><td>{{brokerName}}</td><td class="n">{{queueId}}</td><td class="n">{{minOffset}}</td><td class="n">{{maxOffset}}</td><td>{{lastUpdate}}</td></tr>{{/queues}}
    </table>
    <h2>Consumer groups</h2>
    <ul id="consumers">{{#consumerGroups}}<li><a href="/group?name={{.}}">{{.}}</a></li>{{/consumerGroups}}</ul>
    {{/view}}
    {{> footer}}
    """

    static let groups = """
    {{> header}}
    <table id="groups"><tr><th>group</th><th>members</th><th>consume type</th><th>message model</th><th>consume TPS</th><th>lag</th></tr>
    {{#rows}}<tr><td><a href="/group?name={{group}}">{{group}}</a></td><td class="n">{{members}}</td><td>{{consumeType}}</td><td>{{messageModel}}</td>
    <td class="n">{{consumeTps}}</td><td class="n lag">{{lag}}</td></tr>{{/rows}}
    </table>
    {{> footer}}
    """

    static let group = """
    {{> header}}
    {{#view}}
    <p>{{consumeType}} {{messageModel}} · consume TPS {{consumeTps}} · total lag <b id="totalLag">{{totalLag}}</b></p>
    {{#notes}}<p class="note">{{.}}</p>{{/notes}}
    <h2>Members</h2>
    <table id="members"><tr><th>client id</th><th>address</th><th>language</th><th>version</th></tr>
    {{#members}}<tr><td>{{clientId}}</td><td>{{clientAddr}}</td><td>{{language}}</td><td>{{version}}</td></tr>{{/members}}
    </table>
    <h2>Subscriptions</h2>
    <table id="subscriptions"><tr><th>topic</th><th>expression</th></tr>
    {{#subscriptions}}<tr><td>{{topic}}</td><td>{{expression}}</td></tr>{{/subscriptions}}
    </table>
    <h2>Offsets and lag per message queue</h2>
    <table id="offsets"><tr><th>topic</th><th>brokerName</th><th>queueId</th><th>broker offset</th><th>consumer offset</th><th>lag</th><th>last consumed</th></tr>
    {{#queues}}<tr><td>{{topic}}</td><td>{{brokerName}}</td><td class="n">{{queueId}}</td><td class="n">{{brokerOffset}}</td><td class="n">{{consumerOffset}}</td>
    <td class="n lag">{{lag}}</td><td>{{lastTimestamp}}</td></tr>{{/queues}}
    </table>
    {{/view}}
    {{> footer}}
    """

    static let messages = """
    {{> header}}
    <form method="get" action="/messages">
    <label>topic <input name="topic" value="{{topic}}" required></label>
    <label>key <input name="key" value="{{key}}"></label> or
    <label>message id <input name="msgId" value="{{msgId}}" size="34"></label>
    <button type="submit">Look up</button></form>
    {{#searched}}<p class="note">{{count}} message(s) found.</p>{{/searched}}
    {{#results}}
    <table class="message">
    <tr><th>offsetMsgId</th><td>{{offsetMsgId}}</td></tr><tr><th>uniqKey</th><td>{{uniqKey}}</td></tr>
    <tr><th>topic</th><td>{{topic}}</td></tr><tr><th>tags</th><td>{{tags}}</td></tr><tr><th>keys</th><td>{{keys}}</td></tr>
    <tr><th>queue</th><td>{{brokerName}} / {{queueId}} @ {{queueOffset}}</td></tr><tr><th>stored</th><td>{{storeTime}} on {{storeHost}}</td></tr>
    <tr><th>body</th><td><pre>{{body}}</pre></td></tr>
    <tr><th>consumption</th><td>{{#tracks}}{{consumerGroup}}: <b>{{trackType}}</b><br>{{/tracks}}{{^tracks}}no consumer group{{/tracks}}</td></tr>
    </table>
    {{/results}}
    {{> footer}}
    """

    static let send = """
    {{> header}}
    {{^actionsEnabled}}<p class="note" id="readonly">The dashboard is read-only: start it with <code>--enable-actions</code> to send test messages.</p>{{/actionsEnabled}}
    {{#actionsEnabled}}
    <form method="post" action="/send">
    <p><label>topic <input name="topic" value="{{topic}}" required></label>
    <label>tags <input name="tags"></label> <label>keys <input name="keys"></label></p>
    <p><label>body<br><textarea name="body" rows="4" cols="60">Hello RocketMQ</textarea></label></p>
    <button type="submit">Send</button></form>
    {{/actionsEnabled}}
    {{#result}}<p id="result">Sent: <code>{{.}}</code></p>{{/result}}
    {{> footer}}
    """
}
