{#- Who decides a message's category (signal_source): a person's label always ('human'); else
    the model for every message whose embedding is cached ('model'); else the rules, for
    messages still waiting for their embedding and for those without text ('rule'; 'none'
    where no rule fires). Measured against the alternatives on the development split
    (bench/classifier_combinations.py, DECISIONLOG.md "Rules and model"). -#}
{% macro combine_signal(human_category, model_category) -%}
    case
        when {{ human_category }} is not null then 'human'
        when {{ model_category }} is not null then 'model'
        else 'rule'
    end
{%- endmacro %}
