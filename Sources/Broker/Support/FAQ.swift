/// Java `FAQUrl.suggestTodo`: the hint some error remarks end with (every 4.9.8 FAQ link is the same page).
enum FAQ {
    static let suggestion = "\nSee http://rocketmq.apache.org/docs/faq/ for further details."
}
