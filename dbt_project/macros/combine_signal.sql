{#- Who decides a message's category (signal_source): a person's label always ('human'); else
    the model when it is confident (its probability at least 0.5: 'model'); else the rules
    where they fire ('rule'); else the model's less confident guess ('model'); else the
    rules' 'none' (no text, or no embedding yet: 'rule'). Measured against the alternatives
    on the development split (bench/classifier_combinations.py, DECISIONLOG.md "Rules and
    model"). -#}
{% macro combine_signal(human_category, rule_category, model_category, model_confidence) -%}
    case
        when {{ human_category }} is not null then 'human'
        when {{ model_category }} is not null and {{ model_confidence }} >= 0.5 then 'model'
        when {{ rule_category }} is not null then 'rule'
        when {{ model_category }} is not null then 'model'
        else 'rule'
    end
{%- endmacro %}
