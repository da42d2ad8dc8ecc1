/// The OpenAPI 3 description of the gateway's API, served at `/openapi.yaml`.
enum OpenAPIDocument {
    static let yaml = #"""
openapi: 3.0.3
info:
  title: swift-rocketmq HTTP gateway
  version: "1.0"
  description: |
    Send to RocketMQ topics with an HTTP POST, and receive by exposing a POST endpoint (a backurl) that
    the gateway calls for every message of a push subscription.

    Delivery: each message is POSTed to the backurl with the body as it was sent
    (Content-Type application/octet-stream) and its metadata in headers: X-RocketMQ-Message-Type
    (Notification), X-RocketMQ-Msg-Id, X-RocketMQ-Offset-Msg-Id, X-RocketMQ-Topic, X-RocketMQ-Group,
    X-RocketMQ-Tags, X-RocketMQ-Keys (space-separated), X-RocketMQ-Queue-Id, X-RocketMQ-Queue-Offset,
    X-RocketMQ-Reconsume-Times, X-RocketMQ-Born-Timestamp, X-RocketMQ-Store-Timestamp and one
    X-RocketMQ-Property-<name> per user property (tag, key and property values percent-encoded as
    UTF-8; header names are case-insensitive, so compare them so). When the subscription has a secret, X-RocketMQ-Timestamp (ms since the epoch) and
    X-RocketMQ-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)> are added.
    A 2xx answer within timeoutMs acknowledges the message; anything else is a failure: the message
    goes to the group's %RETRY% topic and comes back after the broker's growing delay levels, and
    after maxReconsumeTimes failures to %DLQ%<group>. Orderly subscriptions deliver one message at a
    time per queue and retry it in place.

    Confirmation handshake (confirm: true): the gateway first POSTs
    {"type": "SubscriptionConfirmation", "group", "topic", "token", "confirmPath"} with
    X-RocketMQ-Message-Type: SubscriptionConfirmation. Delivery starts once the token is echoed, in
    the answer's body or by POST /subscriptions/{group}/confirm.
servers:
  - url: http://127.0.0.1:8080
paths:
  /health:
    get:
      summary: Liveness
      responses:
        "200":
          description: Up
          content:
            application/json:
              schema:
                type: object
                properties:
                  status: {type: string, example: UP}
  /openapi.yaml:
    get:
      summary: This document
      responses:
        "200":
          description: OpenAPI 3 document
          content:
            application/yaml: {}
  /topics/{topic}/messages:
    post:
      summary: Send one message; answered once the broker stored it
      parameters:
        - $ref: "#/components/parameters/topic"
        - {name: tags, in: query, schema: {type: string}, description: "Tag (or header X-RocketMQ-Tags)"}
        - {name: keys, in: query, schema: {type: string}, description: "Keys, space- or comma-separated (or X-RocketMQ-Keys)"}
        - {name: delayLevel, in: query, schema: {type: integer, minimum: 1}, description: "Delay level (or X-RocketMQ-Delay-Level)"}
        - {name: deliverTimeMillis, in: query, schema: {type: integer, format: int64}, description: "Deliver at this time, ms since the epoch (or X-RocketMQ-Deliver-Time)"}
        - {name: shardingKey, in: query, schema: {type: string}, description: "Ordered send: messages of one key go to one queue (or X-RocketMQ-Sharding-Key)"}
        - {name: "property.{name}", in: query, schema: {type: string}, description: "A user property, name as given (or header X-RocketMQ-Property-{name}: the name lower-cased, since HTTP clients re-case header names; the value percent-encoded)"}
      requestBody:
        required: true
        content:
          application/octet-stream:
            schema: {type: string, format: binary}
      responses:
        "200":
          description: Stored by the broker
          content:
            application/json:
              schema: {$ref: "#/components/schemas/SendResult"}
        "400": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "413": {$ref: "#/components/responses/Error"}
        "503": {$ref: "#/components/responses/Error"}
  /topics/{topic}/messages/batch:
    post:
      summary: Send several messages as one batch (one queue, consecutive offsets)
      parameters:
        - $ref: "#/components/parameters/topic"
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: array
              minItems: 1
              items: {$ref: "#/components/schemas/BatchEntry"}
      responses:
        "200":
          description: Stored by the broker
          content:
            application/json:
              schema: {$ref: "#/components/schemas/BatchSendResult"}
        "400": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "413": {$ref: "#/components/responses/Error"}
        "503": {$ref: "#/components/responses/Error"}
  /subscriptions:
    get:
      summary: All push subscriptions, with their lag
      responses:
        "200":
          description: The subscriptions
          content:
            application/json:
              schema:
                type: object
                properties:
                  subscriptions:
                    type: array
                    items: {$ref: "#/components/schemas/SubscriptionView"}
    post:
      summary: Create a push subscription (consumer group = group)
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Subscription"}
      responses:
        "201":
          description: Created (and saved)
          content:
            application/json:
              schema: {$ref: "#/components/schemas/SubscriptionView"}
        "400": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
        "503": {$ref: "#/components/responses/Error"}
  /subscriptions/{group}:
    parameters:
      - {name: group, in: path, required: true, schema: {type: string}}
    get:
      summary: One subscription, with its lag
      responses:
        "200":
          description: The subscription
          content:
            application/json:
              schema: {$ref: "#/components/schemas/SubscriptionView"}
        "404": {$ref: "#/components/responses/Error"}
    delete:
      summary: Stop and forget a subscription (its committed offsets stay at the broker)
      responses:
        "204": {description: Deleted}
        "404": {$ref: "#/components/responses/Error"}
  /subscriptions/{group}/confirm:
    parameters:
      - {name: group, in: path, required: true, schema: {type: string}}
      - {name: token, in: query, required: false, schema: {type: string}}
    post:
      summary: Echo the confirmation token; delivery starts
      requestBody:
        required: false
        content:
          application/json:
            schema:
              type: object
              properties:
                token: {type: string}
      responses:
        "200":
          description: Confirmed
          content:
            application/json:
              schema:
                type: object
                properties:
                  group: {type: string}
                  status: {type: string}
        "400": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
components:
  parameters:
    topic:
      name: topic
      in: path
      required: true
      schema: {type: string}
  responses:
    Error:
      description: An error
      content:
        application/json:
          schema: {$ref: "#/components/schemas/Error"}
  schemas:
    Error:
      type: object
      required: [code, message]
      properties:
        code: {type: integer, description: The HTTP status}
        message: {type: string}
    SendResult:
      type: object
      required: [msgId, offsetMsgId, queueId, queueOffset, status]
      properties:
        msgId: {type: string, description: UNIQ_KEY}
        offsetMsgId: {type: string, description: store host + commit log offset}
        topic: {type: string}
        brokerName: {type: string}
        queueId: {type: integer}
        queueOffset: {type: integer, format: int64}
        status: {type: string, enum: [SEND_OK, FLUSH_DISK_TIMEOUT, FLUSH_SLAVE_TIMEOUT, SLAVE_NOT_AVAILABLE]}
    BatchEntry:
      type: object
      description: One of body (UTF-8 text) or bodyBase64
      properties:
        body: {type: string}
        bodyBase64: {type: string, format: byte}
        tags: {type: string}
        keys: {type: array, items: {type: string}}
        properties: {type: object, additionalProperties: {type: string}}
    BatchSendResult:
      type: object
      properties:
        msgIds: {type: array, items: {type: string}}
        offsetMsgIds: {type: array, items: {type: string}}
        topic: {type: string}
        brokerName: {type: string}
        queueId: {type: integer}
        queueOffset: {type: integer, format: int64, description: the first message's}
        status: {type: string}
    Subscription:
      type: object
      required: [group, topic, backurl]
      properties:
        group: {type: string, description: The consumer group (its offsets, %RETRY% and %DLQ% topics)}
        topic: {type: string}
        filter: {type: string, default: "*", description: "Tags (TagA || TagB) or an SQL92 expression"}
        filterType: {type: string, enum: [TAG, SQL92], default: TAG}
        backurl: {type: string, format: uri}
        orderly: {type: boolean, default: false}
        maxReconsumeTimes: {type: integer, default: 16, minimum: 0, maximum: 64}
        timeoutMs: {type: integer, default: 5000}
        concurrency: {type: integer, default: 20, minimum: 1, maximum: 256}
        rateLimit: {type: number, default: 0, description: "Deliveries per second at most; 0 = no limit"}
        secret: {type: string, description: Key of the HMAC-SHA256 signature}
        consumeFromWhere: {type: string, enum: [CONSUME_FROM_LAST_OFFSET, CONSUME_FROM_FIRST_OFFSET], default: CONSUME_FROM_LAST_OFFSET}
        confirm: {type: boolean, default: false, description: Confirmation handshake before delivery}
    SubscriptionView:
      type: object
      properties:
        group: {type: string}
        topic: {type: string}
        filter: {type: string}
        filterType: {type: string}
        backurl: {type: string}
        orderly: {type: boolean}
        maxReconsumeTimes: {type: integer}
        timeoutMs: {type: integer}
        concurrency: {type: integer}
        rateLimit: {type: number}
        consumeFromWhere: {type: string}
        confirm: {type: boolean}
        hasSecret: {type: boolean}
        status: {type: string, enum: [PENDING_CONFIRMATION, ACTIVE, STARTING]}
        createdAt: {type: integer, format: int64}
        lag:
          type: object
          properties:
            total: {type: integer, format: int64}
            queues:
              type: array
              items:
                type: object
                properties:
                  brokerName: {type: string}
                  queueId: {type: integer}
                  brokerOffset: {type: integer, format: int64}
                  consumerOffset: {type: integer, format: int64}
                  lag: {type: integer, format: int64}
        lagError: {type: string, description: Why there is no lag (no offsets committed yet, no broker reachable)}
"""#
}
